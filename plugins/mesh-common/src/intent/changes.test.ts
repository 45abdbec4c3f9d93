import { reviewsTarget, reviewsWorkloads } from '../__testUtils__/bookinfo';
import { assertIstioSchema } from '../__testUtils__/istioSchema';
import { generateRouting } from '../generate/routing';
import { parseRouting } from '../parse/parse';
import {
  applyTrafficChange,
  CANARY_TESTERS_ROUTE,
  currentFault,
  FAULT_ROUTE,
  ruleOf,
  withCanary,
  withFault,
  withSplit,
} from './changes';
import { TrafficIntent } from './schema';
import { validateIntent } from './validate';
import { validateChange } from './changeSchema';

/** Every intent these edits produce must be valid, generate schema-valid objects and parse back. */
function valid(intent: TrafficIntent): TrafficIntent {
  expect(validateIntent(intent, { workloads: reviewsWorkloads })).toEqual({
    ok: true,
    intent,
  });
  const [dr, vs] = generateRouting(reviewsTarget, intent);
  assertIstioSchema(dr);
  assertIstioSchema(vs);
  expect(parseRouting(vs as any, dr as any)).toEqual(intent);
  return intent;
}

const v1: TrafficIntent = { split: [{ version: 'v1', weight: 100 }] };

describe('canary changes', () => {
  const started = valid(
    withCanary(v1, {
      action: 'start',
      baseline: 'v1',
      candidate: 'v2',
      steps: [10, 50, 100],
      testers: { header: 'X-Canary', value: 'always' },
    }),
  );

  it('starts at the first step, with testers sent straight to the candidate', () => {
    expect(started.canary).toEqual({
      baseline: 'v1',
      candidate: 'v2',
      steps: [10, 50, 100],
      step: 1,
    });
    expect(started.split).toEqual([
      { version: 'v1', weight: 90 },
      { version: 'v2', weight: 10 },
    ]);
    expect(started.routes).toEqual([
      {
        name: CANARY_TESTERS_ROUTE,
        match: [{ headers: { 'x-canary': { exact: 'always' } } }],
        split: [{ version: 'v2', weight: 100 }],
      },
    ]);
    expect(ruleOf(started.routes![0])).toEqual({
      header: 'x-canary',
      value: 'always',
    });
  });

  it('advances step by step, leaving out a version at 0 %, and refuses past the last step', () => {
    const second = valid(withCanary(started, { action: 'advance' }));
    expect(second.split).toEqual([
      { version: 'v1', weight: 50 },
      { version: 'v2', weight: 50 },
    ]);
    const last = valid(withCanary(second, { action: 'advance' }));
    expect(last.canary?.step).toBe(3);
    expect(last.split).toEqual([{ version: 'v2', weight: 100 }]);
    expect(() => withCanary(last, { action: 'advance' })).toThrow(
      'last step; promote it',
    );
  });

  it('promotes to the candidate or aborts to the baseline, ending the canary and its testers route', () => {
    expect(valid(withCanary(started, { action: 'promote' }))).toEqual({
      split: [{ version: 'v2', weight: 100 }],
    });
    expect(valid(withCanary(started, { action: 'abort' }))).toEqual({
      split: [{ version: 'v1', weight: 100 }],
    });
    expect(() => withCanary(v1, { action: 'abort' })).toThrow(
      'there is no canary to abort',
    );
  });

  it('matches a tester cookie inside the Cookie header with an RE2 regex, and reads it back', () => {
    const withCookie = valid(
      withCanary(v1, {
        action: 'start',
        baseline: 'v1',
        candidate: 'v3',
        steps: [25, 100],
        testers: { cookie: 'canary', value: 'yes.please' },
      }),
    );
    const regex = withCookie.routes![0].match[0].headers!.cookie.regex!;
    expect(
      new RegExp(regex).test('session=1; canary=yes.please; theme=dark'),
    ).toBe(true);
    expect(new RegExp(regex).test('canary=yesXplease')).toBe(false);
    expect(ruleOf(withCookie.routes![0])).toEqual({
      cookie: 'canary',
      value: 'yes.please',
    });
  });
});

describe('fault changes', () => {
  const fault = { delay: { fixed: '5s', percent: 100 } };

  it('scopes a fault to a header with a route of its own that serves the default split', () => {
    const scoped = valid(
      withFault(
        {
          split: [
            { version: 'v1', weight: 80 },
            { version: 'v3', weight: 20 },
          ],
        },
        fault,
        { header: 'x-fault', value: 'on' },
      ),
    );
    expect(scoped.fault).toBeUndefined();
    expect(scoped.routes).toEqual([
      {
        name: FAULT_ROUTE,
        match: [{ headers: { 'x-fault': { exact: 'on' } } }],
        split: scoped.split,
        fault,
      },
    ]);
    expect(currentFault(scoped)).toEqual({
      fault,
      scope: { header: 'x-fault', value: 'on' },
    });
    // The fault route follows the default split when it moves.
    const moved = valid(withSplit(scoped, [{ version: 'v3', weight: 100 }]));
    expect(moved.routes![0].split).toEqual([{ version: 'v3', weight: 100 }]);
  });

  it('puts an all-traffic fault on the default route and removes the scoped one, and the reverse', () => {
    const scoped = withFault(v1, fault, { header: 'x-fault', value: 'on' });
    const all = valid(
      withFault(scoped, { abort: { httpStatus: 503, percent: 5 } }, 'all'),
    );
    expect(all).toEqual({
      ...v1,
      fault: { abort: { httpStatus: 503, percent: 5 } },
    });
    expect(currentFault(all).scope).toBe('all');
    expect(valid(withFault(all, null))).toEqual(v1);
  });
});

describe('applyTrafficChange', () => {
  it('applies split, canary, mirror and fault in order on top of the current intent', () => {
    const next = valid(
      applyTrafficChange(
        { ...v1, timeout: '2s' },
        {
          split: [
            { version: 'v1', weight: 50 },
            { version: 'v2', weight: 50 },
          ],
          mirror: { version: 'v3', percent: 10 },
          fault: {
            abort: { httpStatus: 500, percent: 100 },
            scope: { header: 'x-chaos', value: '1' },
          },
        },
      ),
    );
    expect(next.timeout).toBe('2s');
    expect(next.mirror).toEqual({ version: 'v3', percent: 10 });
    expect(next.routes![0]).toMatchObject({
      name: FAULT_ROUTE,
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 50 },
      ],
    });
    expect(
      valid(applyTrafficChange(next, { mirror: null, fault: null })),
    ).toEqual({ split: next.split, timeout: '2s' });
  });
});

describe('validateChange', () => {
  it('accepts each kind of partial change', () => {
    for (const change of [
      { split: [{ version: 'v1', weight: 100 }] },
      {
        canary: {
          action: 'start',
          baseline: 'v1',
          candidate: 'v2',
          steps: [10, 100],
          testers: { header: 'x-canary', value: 'always' },
        },
      },
      { canary: { action: 'advance' } },
      { mirror: { version: 'v2', percent: 10 } },
      {
        mirror: null,
        fault: {
          delay: { fixed: '1s', percent: 5 },
          scope: { cookie: 'chaos', value: '1' },
        },
      },
    ]) {
      expect(validateChange(change)).toEqual({ ok: true, change });
    }
  });

  it('names every bad field under change', () => {
    const result = validateChange({
      split: [{ version: 'v1', weight: 101 }],
      canary: { action: 'jump' },
      extra: 1,
    });
    expect(result.ok).toBe(false);
    const paths = (result as { issues: { path: string }[] }).issues
      .map(i => i.path)
      .sort();
    expect(paths).toEqual([
      'change',
      'change.canary.action',
      'change.split[0].weight',
    ]);
    expect(validateChange({})).toEqual({
      ok: false,
      issues: [
        {
          path: 'change',
          message: 'name at least one of split, canary, mirror, fault',
        },
      ],
    });
  });
});
