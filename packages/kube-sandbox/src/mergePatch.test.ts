import { jsonPatch, mergePatch } from './mergePatch';

describe('patches as the API server applies them', () => {
  const live = { spec: { http: [{ route: [{ weight: 100 }] }] } };

  it('applies a JSON patch (kubectl patch --type=json) without touching the live object', () => {
    expect(
      jsonPatch(live, [
        { op: 'add', path: '/spec/http/0/timeout', value: '9s' },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
      ]),
    ).toEqual({ spec: { http: [{ route: [{ weight: 90 }], timeout: '9s' }] } });
    expect(live.spec.http[0]).toEqual({ route: [{ weight: 100 }] });
  });

  it('refuses a failed test, a missing path and a body that is not a list, with a 400', () => {
    for (const ops of [
      [{ op: 'test', path: '/spec/http/0/route/0/weight', value: 50 }],
      [{ op: 'replace', path: '/spec/tcp/0', value: {} }],
      { op: 'add' },
    ])
      expect(() => jsonPatch(live, ops)).toThrow(
        expect.objectContaining({ code: 400, reason: 'BadRequest' }),
      );
  });

  it('merges a merge patch, null removing a key', () => {
    expect(mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } })).toEqual(
      {
        a: 1,
        b: { d: 3 },
      },
    );
  });
});
