import { partOf, resolveExpiries, riskyParts, withoutPart } from './expiry';
import { TrafficIntent } from './schema';

const intent: TrafficIntent = {
  split: [{ version: 'v1', weight: 100 }],
  fault: { abort: { httpStatus: 503, percent: 10 } },
  mirror: { version: 'v2', percent: 10 },
  routes: [
    {
      name: 'testers',
      match: [{ headers: { 'x-canary': { exact: 'true' } } }],
      split: [{ version: 'v2', weight: 100 }],
    },
  ],
};
const now = Date.parse('2026-12-01T12:00:00Z');

describe('risky parts and their ends', () => {
  it('names the parts that may expire, and takes one out', () => {
    expect(riskyParts(intent)).toEqual(['fault', 'mirror', 'routes.testers']);
    expect(withoutPart(intent, 'fault').fault).toBeUndefined();
    expect(withoutPart(intent, 'routes.testers').routes).toBeUndefined();
    expect(withoutPart(intent, 'mirror')).toEqual({
      split: intent.split,
      fault: intent.fault,
      routes: intent.routes,
    });
    expect(partOf(intent, 'routes.testers')).toBe(intent.routes![0]);
  });

  it('resolves a duration from now and a time, each part by name', () => {
    expect(
      resolveExpiries(
        {
          fault: { for: '30m' },
          routes: { testers: { at: '2026-12-01T13:00:00Z' } },
        },
        intent,
        { now },
      ),
    ).toEqual({
      ends: {
        fault: now + 30 * 60_000,
        'routes.testers': now + 60 * 60_000,
      },
      issues: [],
    });
  });

  it('names every bad end by its path, all at once', () => {
    const { issues } = resolveExpiries(
      {
        fault: { for: 'soon' },
        mirror: { at: '2026-12-01T11:00:00Z' },
        routes: { nobody: { for: '5m' } },
      },
      withoutPart(intent, 'routes.testers'),
      { now },
    );
    expect(issues).toEqual([
      {
        path: 'expires.fault.for',
        message: 'must be a duration such as 30m or 2h',
      },
      { path: 'expires.mirror.at', message: 'must end at least 10s from now' },
      {
        path: 'expires.routes.nobody',
        message: 'the intent has no routes.nobody to end',
      },
    ]);
  });

  it("refuses an end beyond the mesh's maximum", () => {
    expect(
      resolveExpiries({ fault: { for: '3h' } }, intent, {
        now,
        maxMs: 2 * 3600_000,
      }).issues,
    ).toEqual([
      {
        path: 'expires.fault.for',
        message: "must end within the mesh's maximum for risky changes (120m)",
      },
    ]);
  });
});
