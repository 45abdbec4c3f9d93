/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectIssue"] }] */
import { reviewsWorkloads } from '../__testUtils__/bookinfo';
import { validateIntent } from './validate';

const base = { split: [{ version: 'v1', weight: 100 }] };

/** The paths of the issues an intent gets, with their messages for failure output. */
function issuesOf(intent: unknown) {
  const result = validateIntent(intent, { workloads: reviewsWorkloads });
  if (result.ok) return [];
  return result.issues;
}

function expectIssue(intent: unknown, path: string, message?: RegExp) {
  const issues = issuesOf(intent);
  const hit = issues.find(i => i.path === path);
  expect({ path, found: hit ? path : issues }).toEqual({ path, found: path });
  if (message) expect(hit!.message).toMatch(message);
}

describe('validateIntent', () => {
  it('accepts a valid intent and returns it', () => {
    expect(validateIntent(base, { workloads: reviewsWorkloads })).toEqual({
      ok: true,
      intent: base,
    });
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({
      split: [
        { version: 'v1', weight: 60 },
        { version: 'v9', weight: 30 },
      ],
      timeout: '500us',
      fault: {},
    });
    expect(issues.map(i => i.path).sort()).toEqual(
      ['fault', 'split', 'split[1].version', 'timeout'].sort(),
    );
  });

  describe('weights', () => {
    it('must be whole numbers', () =>
      expectIssue(
        { split: [{ version: 'v1', weight: 99.5 }] },
        'split[0].weight',
        /whole/,
      ));
    it('must be within 0..100', () =>
      expectIssue(
        { split: [{ version: 'v1', weight: 101 }] },
        'split[0].weight',
      ));
    it('must sum to 100', () =>
      expectIssue(
        {
          split: [
            { version: 'v1', weight: 50 },
            { version: 'v2', weight: 40 },
          ],
        },
        'split',
        /sum to 90/,
      ));
    it('need at least one destination', () =>
      expectIssue({ split: [] }, 'split', /at least one/));
    it('sum to 100 inside each route too', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ uri: { prefix: '/' } }],
              split: [{ version: 'v2', weight: 10 }],
            },
          ],
        },
        'routes[0].split',
        /sum to 10/,
      ));
    it('name each destination once per split', () =>
      expectIssue(
        {
          split: [
            { version: 'v1', weight: 50 },
            { version: 'v1', weight: 50 },
          ],
        },
        'split[1]',
        /repeats/,
      ));
  });

  describe('versions and clusters against the discovered workloads', () => {
    it('refuses a version that runs nowhere', () =>
      expectIssue(
        { split: [{ version: 'v9', weight: 100 }] },
        'split[0].version',
        /v9 does not run anywhere.*v1, v2, v3/,
      ));
    it('refuses a cluster where the version does not run', () =>
      expectIssue(
        { split: [{ version: 'v3', cluster: 'east', weight: 100 }] },
        'split[0].cluster',
        /v3 does not run in cluster east.*west/,
      ));
    it('checks the mirror target too', () =>
      expectIssue(
        { ...base, mirror: { version: 'v7', percent: 10 } },
        'mirror.version',
      ));
    it('skips workload checks when no workloads are given', () =>
      expect(
        validateIntent({ split: [{ version: 'v9', weight: 100 }] }).ok,
      ).toBe(true));
  });

  describe("Istio's rules", () => {
    it('durations are at least 1ms', () =>
      expectIssue({ ...base, timeout: '0ms' }, 'timeout', /at least 1ms/));
    it('durations have millisecond precision', () =>
      expectIssue({ ...base, timeout: '1.0005s' }, 'timeout', /millisecond/));
    it('durations use Istio units', () =>
      expectIssue({ ...base, timeout: '500us' }, 'timeout', /duration/));
    it('fault percentages are 0 or within [0.0001, 100]', () =>
      expectIssue(
        { ...base, fault: { delay: { fixed: '1s', percent: 0.00001 } } },
        'fault.delay.percent',
        /0.0001/,
      ));
    it('abort status is within 200..599', () =>
      expectIssue(
        { ...base, fault: { abort: { httpStatus: 600, percent: 1 } } },
        'fault.abort.httpStatus',
        /200 and 599/,
      ));
    it('a fault needs a delay or an abort', () =>
      expectIssue({ ...base, fault: {} }, 'fault', /delay or an abort/));
    it('mirror percent is more than 0 and at most 100', () =>
      expectIssue(
        { ...base, mirror: { version: 'v2', percent: 0 } },
        'mirror.percent',
      ));
    it('a string match has exactly one operator', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ uri: { exact: '/a', prefix: '/' } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].uri',
        /exactly one/,
      ));
    it('a regex is not empty', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ headers: { 'x-a': { regex: '' } } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].headers.x-a.regex',
        /empty/,
      ));
    it('a regex is at most 1024 characters', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ uri: { regex: 'a'.repeat(1025) } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].uri.regex',
      ));
    it('a regex is RE2: no lookbehind', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ uri: { regex: '(?<=/api)/v1' } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].uri.regex',
        /RE2/,
      ));
    it('a regex is RE2: no backreferences', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ headers: { 'x-a': { regex: '(a)\\1' } } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].headers.x-a.regex',
        /RE2/,
      ));
    it('retries with attempts 0 take no other field', () =>
      expectIssue(
        { ...base, retries: { attempts: 0, perTryTimeout: '1s' } },
        'retries',
        /attempts 0/,
      ));
    it("retryOn takes Istio's values or status codes", () => {
      expectIssue(
        { ...base, retries: { attempts: 2, retryOn: ['5xx', 'sometimes'] } },
        'retries.retryOn[1]',
        /sometimes/,
      );
      expect(
        issuesOf({
          ...base,
          retries: { attempts: 2, retryOn: ['503', 'gateway-error'] },
        }),
      ).toEqual([]);
    });
    it('failover needs outlierDetection', () =>
      expectIssue(
        { ...base, failover: [{ from: 'us-east1', to: 'us-west1' }] },
        'failover',
        /outlierDetection/,
      ));
  });

  describe('canary, routes and limits', () => {
    const canary = {
      baseline: 'v1',
      candidate: 'v2',
      steps: [5, 25, 50, 100],
      step: 1,
    };
    it('accepts a canary whose split matches its step', () =>
      expect(
        issuesOf({
          split: [
            { version: 'v1', weight: 95 },
            { version: 'v2', weight: 5 },
          ],
          canary,
        }),
      ).toEqual([]));
    it('refuses a split that does not match the canary step', () =>
      expectIssue(
        {
          split: [
            { version: 'v1', weight: 80 },
            { version: 'v2', weight: 20 },
          ],
          canary,
        },
        'split',
        /v1 95 \/ v2 5/,
      ));
    it('refuses a step beyond the steps', () =>
      expectIssue({ ...base, canary: { ...canary, step: 5 } }, 'canary.step'));
    it('refuses steps that do not increase', () =>
      expectIssue(
        { ...base, canary: { ...canary, steps: [5, 5], step: 0 } },
        'canary.steps[1]',
      ));
    it('names a canary version that does not run', () =>
      expectIssue(
        { ...base, canary: { ...canary, candidate: 'v9', step: 0 } },
        'canary.candidate',
        /v9 does not run/,
      ));
    it('refuses a candidate equal to the baseline', () =>
      expectIssue(
        { ...base, canary: { ...canary, candidate: 'v1', step: 0 } },
        'canary.candidate',
      ));
    it('refuses duplicate route names', () => {
      const r = {
        name: 'same',
        match: [{ uri: { prefix: '/' } }],
        split: base.split,
      };
      expectIssue({ ...base, routes: [r, r] }, 'routes[1].name', /unique/);
    });
    it('reserves the name of the default route', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'default',
              match: [{ uri: { prefix: '/' } }],
              split: base.split,
            },
          ],
        },
        'routes[0].name',
      ));
    it('refuses a match without conditions', () =>
      expectIssue(
        { ...base, routes: [{ name: 'r', match: [{}], split: base.split }] },
        'routes[0].match[0]',
      ));
    it('limits the number of routes', () => {
      const routes = Array.from({ length: 51 }, (_, i) => ({
        name: `r${i}`,
        match: [{ uri: { prefix: '/' } }],
        split: base.split,
      }));
      expectIssue({ ...base, routes }, 'routes');
    });
    it('limits string lengths', () =>
      expectIssue(
        {
          ...base,
          routes: [
            {
              name: 'r',
              match: [{ uri: { exact: 'x'.repeat(5000) } }],
              split: base.split,
            },
          ],
        },
        'routes[0].match[0].uri.exact',
      ));
    it('refuses unknown fields by name', () =>
      expectIssue({ ...base, weights: 1 }, '', /unknown field: weights/));
    it('refuses versions that are not label values', () =>
      expectIssue(
        { split: [{ version: 'v1 beta', weight: 100 }] },
        'split[0].version',
        /label value/,
      ));
  });
});

describe('canary analysis', () => {
  const canary = {
    baseline: 'v1',
    candidate: 'v2',
    steps: [10, 50, 100],
    step: 1,
  };
  const intent = (extra: object) => ({
    split: [
      { version: 'v1', weight: 90 },
      { version: 'v2', weight: 10 },
    ],
    canary: { ...canary, ...extra },
  });
  const analysis = {
    interval: '30s',
    successRateMin: 99,
    latency: { percentile: 99, maxMs: 500 },
    minRequests: 20,
    failureLimit: 2,
  };

  it('accepts an automatic canary with an analysis', () => {
    expect(issuesOf(intent({ analysis, auto: true }))).toEqual([]);
  });

  it('refuses auto without an analysis, naming canary.auto', () => {
    expectIssue(intent({ auto: true }), 'canary.auto', /needs an analysis/);
  });

  it('names each bad field of the analysis, all at once', () => {
    const issues = issuesOf(
      intent({
        analysis: {
          ...analysis,
          interval: '1s',
          successRateMin: 120,
          minRequests: 0,
        },
      }),
    ).map(i => i.path);
    expect(issues).toEqual(
      expect.arrayContaining([
        'canary.analysis.successRateMin',
        'canary.analysis.minRequests',
      ]),
    );
    expectIssue(
      intent({ analysis: { ...analysis, interval: '1s' } }),
      'canary.analysis.interval',
      /between 5s and 24h/,
    );
    expectIssue(
      intent({ analysis: { ...analysis, interval: 'soon' } }),
      'canary.analysis.interval',
      /duration/,
    );
  });

  it('needs at least one check', () => {
    const { successRateMin, latency, ...none } = analysis;
    expectIssue(intent({ analysis: none }), 'canary.analysis', /at least one/);
  });

  it('takes the limits that keep an analysis from running blind, naming each bad one', () => {
    expect(
      issuesOf(
        intent({
          analysis: {
            ...analysis,
            inconclusiveLimit: 5,
            errorLimit: 3,
            progressDeadline: '30m',
          },
          auto: true,
        }),
      ),
    ).toEqual([]);
    expect(
      issuesOf(
        intent({
          analysis: {
            ...analysis,
            inconclusiveLimit: 0,
            errorLimit: 1.5,
            progressDeadline: '30m',
          },
        }),
      ).map(i => i.path),
    ).toEqual([
      'canary.analysis.inconclusiveLimit',
      'canary.analysis.errorLimit',
    ]);
    expectIssue(
      intent({ analysis: { ...analysis, progressDeadline: 'later' } }),
      'canary.analysis.progressDeadline',
    );
    expectIssue(
      intent({
        analysis: { ...analysis, progressDeadline: analysis.interval },
      }),
      'canary.analysis.progressDeadline',
      /at least two intervals/,
    );
  });

  it('refuses unknown analysis fields and a latency percentile outside 50..99.9', () => {
    expectIssue(
      intent({ analysis: { ...analysis, threshold: 3 } }),
      'canary.analysis',
      /unknown field: threshold/,
    );
    expectIssue(
      intent({
        analysis: { ...analysis, latency: { percentile: 100, maxMs: 1 } },
      }),
      'canary.analysis.latency.percentile',
    );
  });
});

describe('load balancer, locality and query-parameter matches', () => {
  it('accepts a simple policy, a cookie hash, a distribution and failover priorities', () => {
    expect(
      issuesOf({
        ...base,
        loadBalancer: {
          consistentHash: { httpCookie: { name: 'sid', ttl: '1h', path: '/' } },
        },
        outlierDetection: { consecutive5xxErrors: 5 },
        locality: {
          distribute: [
            { from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } },
          ],
          failoverPriority: ['topology.istio.io/network'],
        },
      }),
    ).toEqual([]);
    expect(
      issuesOf({ ...base, loadBalancer: { simple: 'LEAST_REQUEST' } }),
    ).toEqual([]);
  });

  it('names each problem of the load balancer', () => {
    expectIssue(
      { ...base, loadBalancer: { simple: 'FASTEST' } },
      'loadBalancer.simple',
    );
    expectIssue(
      {
        ...base,
        loadBalancer: {
          simple: 'RANDOM',
          consistentHash: { useSourceIp: true },
        },
      },
      'loadBalancer',
      /not both/,
    );
    expectIssue(
      {
        ...base,
        loadBalancer: {
          consistentHash: { useSourceIp: true, httpHeaderName: 'x-user' },
        },
      },
      'loadBalancer.consistentHash',
      /exactly one/,
    );
    expectIssue(
      {
        ...base,
        loadBalancer: {
          consistentHash: { httpCookie: { name: 'sid', ttl: 'soon' } },
        },
      },
      'loadBalancer.consistentHash.httpCookie.ttl',
    );
  });

  it('refuses failover priorities without outlier detection, distribute beside failover, and weights that miss 100', () => {
    expectIssue(
      {
        ...base,
        locality: { failoverPriority: ['topology.istio.io/network'] },
      },
      'locality.failoverPriority',
      /without outlierDetection/,
    );
    expectIssue(
      {
        ...base,
        outlierDetection: { consecutive5xxErrors: 5 },
        failover: [{ from: 'us-east1', to: 'us-west1' }],
        locality: {
          distribute: [{ from: 'us-east1/*', to: { 'us-east1/*': 100 } }],
        },
      },
      'locality.distribute',
      /cannot be combined with failover/,
    );
    expectIssue(
      {
        ...base,
        locality: {
          distribute: [
            { from: 'us-east1/*', to: { 'us-east1/*': 70, 'us-west1/*': 20 } },
          ],
        },
      },
      'locality.distribute[0].to',
      /sum to 100 \(they sum to 90\)/,
    );
  });

  it('matches query parameters exactly or by regex, never by prefix', () => {
    const route = (queryParams: object) => ({
      ...base,
      routes: [
        {
          name: 'beta',
          match: [{ queryParams }],
          split: [{ version: 'v2', weight: 100 }],
        },
      ],
    });
    expect(issuesOf(route({ beta: { exact: 'true' } }))).toEqual([]);
    expectIssue(
      route({ beta: { prefix: 'tr' } }),
      'routes[0].match[0].queryParams.beta.prefix',
      /not by prefix/,
    );
  });
});

describe('traffic to versions without ready pods', () => {
  const workloads = [
    { cluster: 'east', version: 'v1', replicas: 2, readyReplicas: 2 },
    { cluster: 'west', version: 'v3', replicas: 1, readyReplicas: 0 },
    { cluster: 'east', version: 'v3', replicas: 1, readyReplicas: 1 },
  ];
  const issues = (split: object[]) => {
    const result = validateIntent({ split }, { workloads });
    return result.ok ? [] : result.issues;
  };

  it('refuses weight to a version on a cluster where none of its pods is ready, naming both', () => {
    expect(
      issues([
        { version: 'v1', weight: 80 },
        { version: 'v3', cluster: 'west', weight: 20 },
      ]),
    ).toEqual([
      {
        path: 'split[1].weight',
        message:
          'sends 20% to v3 on cluster west, which has no ready pods there; scale it up or give it weight 0',
      },
    ]);
  });

  it('accepts a version-wide destination while some cluster has it ready, and weight 0 anywhere', () => {
    expect(
      issues([
        { version: 'v1', weight: 80 },
        { version: 'v3', weight: 20 },
      ]),
    ).toEqual([]);
    expect(
      issues([
        { version: 'v1', weight: 100 },
        { version: 'v3', cluster: 'west', weight: 0 },
      ]),
    ).toEqual([]);
  });
});

describe('access', () => {
  const withAccess = (rules: unknown) => ({ ...base, access: { rules } });

  it('accepts callers as service accounts, principals of other trust domains and namespaces, with methods and paths', () => {
    expect(
      issuesOf(
        withAccess([
          {
            from: [
              { serviceAccount: 'bookinfo/bookinfo-productpage' },
              { principal: 'partner.example/ns/shop/sa/api' },
              { namespace: 'istio-ingress' },
            ],
            methods: ['GET'],
            paths: ['/reviews/*', '*/health'],
          },
        ]),
      ),
    ).toEqual([]);
  });

  it('names every bad caller, method and path by its path, at once', () => {
    const issues = issuesOf(
      withAccess([
        {
          from: [
            {},
            { serviceAccount: 'productpage' },
            { serviceAccount: 'a/b', namespace: 'c' },
            { principal: 'spiffe://cluster.local/ns/a/sa/b' },
            { principal: 'cluster.local/ns/bookinfo/sa/productpage' },
            { principal: 'partner/*/sa/x' },
            { namespace: 'Bad_NS' },
          ],
          methods: ['get'],
          paths: ['reviews', '/a*b'],
        },
      ]),
    );
    expect(issues).toEqual([
      {
        path: 'access.rules[0].from[0]',
        message: 'give exactly one of serviceAccount, principal or namespace',
      },
      {
        path: 'access.rules[0].from[1].serviceAccount',
        message: expect.stringMatching(/namespace\/name/),
      },
      {
        path: 'access.rules[0].from[2]',
        message: expect.stringMatching(/given: serviceAccount, namespace/),
      },
      {
        path: 'access.rules[0].from[3].principal',
        message: expect.stringMatching(/drop the spiffe:\/\/ prefix/),
      },
      {
        path: 'access.rules[0].from[4].principal',
        message: expect.stringMatching(
          /service account bookinfo\/productpage of this mesh .*serviceAccount: bookinfo\/productpage/,
        ),
      },
      {
        path: 'access.rules[0].from[5].principal',
        message: expect.stringMatching(/only at its start or its end/),
      },
      {
        path: 'access.rules[0].from[6].namespace',
        message: expect.stringMatching(/namespace name/),
      },
      {
        path: 'access.rules[0].methods[0]',
        message: expect.stringMatching(/HTTP method in capitals/),
      },
      {
        path: 'access.rules[0].paths[0]',
        message: expect.stringMatching(/must start with \//),
      },
      {
        path: 'access.rules[0].paths[1]',
        message: expect.stringMatching(/only at its start or its end/),
      },
    ]);
  });

  it('refuses an access part without rules, and a rule without callers', () => {
    expectIssue(withAccess([]), 'access.rules', /lets nobody in/);
    expectIssue(withAccess([{ from: [] }]), 'access.rules[0].from');
  });

  it("takes the mesh's own trust domain for what a service account's principal is", () => {
    const intent = withAccess([
      { from: [{ principal: 'cluster.local/ns/bookinfo/sa/productpage' }] },
    ]);
    expect(validateIntent(intent, { trustDomain: 'corp.example' }).ok).toBe(
      true,
    );
    const own = validateIntent(
      withAccess([
        { from: [{ principal: 'corp.example/ns/bookinfo/sa/productpage' }] },
      ]),
      { trustDomain: 'corp.example' },
    );
    expect(own.ok ? [] : own.issues.map(i => i.path)).toEqual([
      'access.rules[0].from[0].principal',
    ]);
  });
});
