import fc from 'fast-check';
import {
  Destination,
  StringMatch,
  TrafficIntent,
  TrafficRoute,
} from '../intent/schema';

/** Destinations that exist in the fixture's workloads: versions, and version x cluster. */
const DESTINATIONS: Array<Omit<Destination, 'weight'>> = [
  { version: 'v1' },
  { version: 'v2' },
  { version: 'v3' },
  { version: 'v1', cluster: 'east' },
  { version: 'v1', cluster: 'west' },
  { version: 'v2', cluster: 'east' },
  { version: 'v3', cluster: 'west' },
];

const destination = fc.constantFrom(...DESTINATIONS);

/** Distinct destinations with integer weights that sum to 100. */
const split = fc
  .uniqueArray(destination, {
    minLength: 1,
    maxLength: 4,
    selector: d => `${d.version}/${d.cluster ?? ''}`,
  })
  .chain(dests =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: 100 }), {
        minLength: dests.length - 1,
        maxLength: dests.length - 1,
      })
      .map(cuts => {
        const points = [0, ...cuts.sort((a, b) => a - b), 100];
        return dests.map((d, i) => ({
          ...d,
          weight: points[i + 1] - points[i],
        }));
      }),
  );

const duration = fc.oneof(
  fc.integer({ min: 1, max: 60_000 }).map(n => `${n}ms`),
  fc.integer({ min: 1, max: 600 }).map(n => `${n}s`),
  fc.integer({ min: 1, max: 10 }).map(n => `${n}m`),
);
const percent = fc.oneof(
  fc.constant(0),
  fc.constant(100),
  fc.integer({ min: 1, max: 1_000_000 }).map(n => n / 10_000),
);
const mirrorPercent = fc.integer({ min: 1, max: 1_000 }).map(n => n / 10);

const stringMatch: fc.Arbitrary<StringMatch> = fc.oneof(
  fc.string({ minLength: 0, maxLength: 20 }).map(exact => ({ exact })),
  fc.stringMatching(/^\/[a-z0-9/]{0,15}$/).map(prefix => ({ prefix })),
  fc
    .constantFrom('^(.*?;)?(iPhone)(;.*)?$', '.*', '^/api/v[0-9]+', '[a-z]+')
    .map(regex => ({ regex })),
);

const match = fc
  .record(
    {
      headers: fc.dictionary(
        fc.stringMatching(/^[a-z][-a-z0-9]{0,10}$/),
        stringMatch,
        { minKeys: 1, maxKeys: 3 },
      ),
      uri: stringMatch,
      method: fc.constantFrom('GET', 'POST').map(exact => ({ exact })),
      sourceCluster: fc.constantFrom('east', 'west'),
      queryParams: fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
        stringMatch.filter(m => m.prefix === undefined),
        { minKeys: 1, maxKeys: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .filter(m => Object.keys(m).length > 0);

const fault = fc
  .record(
    {
      delay: fc.record({ fixed: duration, percent }),
      abort: fc.record({
        httpStatus: fc.integer({ min: 200, max: 599 }),
        percent,
      }),
    },
    { requiredKeys: [] },
  )
  .filter(f => Boolean(f.delay || f.abort));

const retries = fc.oneof(
  fc.constant({ attempts: 0 }),
  fc.record(
    {
      attempts: fc.integer({ min: 1, max: 10 }),
      perTryTimeout: duration,
      retryOn: fc.uniqueArray(
        fc.constantFrom(
          '5xx',
          'connect-failure',
          'reset',
          '503',
          'gateway-error',
        ),
        { minLength: 1, maxLength: 3 },
      ),
    },
    { requiredKeys: ['attempts'] },
  ),
);

const mirror = fc
  .tuple(destination, mirrorPercent)
  .map(([d, p]) => ({ ...d, percent: p }));

const routePart = { fault, timeout: duration, retries, mirror };

const routes = fc
  .uniqueArray(fc.stringMatching(/^r[a-z0-9]{0,8}$/), {
    minLength: 1,
    maxLength: 3,
  })
  .chain(names =>
    fc.tuple(
      ...names.map(name =>
        fc
          .record(
            {
              match: fc.array(match, { minLength: 1, maxLength: 2 }),
              split,
              ...routePart,
            },
            {
              requiredKeys: ['match', 'split'],
            },
          )
          .map(r => ({ name, ...r } as TrafficRoute)),
      ),
    ),
  );

const trafficPolicy = fc.record(
  {
    connectionPool: fc.record(
      {
        tcp: fc.record(
          {
            maxConnections: fc.integer({ min: 1, max: 10_000 }),
            connectTimeout: duration,
          },
          { requiredKeys: [] },
        ),
        http: fc.record(
          {
            http1MaxPendingRequests: fc.integer({ min: 1, max: 10_000 }),
            maxRetries: fc.integer({ min: 0, max: 10 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    loadBalancer: fc.oneof(
      fc
        .constantFrom('ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'PASSTHROUGH')
        .map(simple => ({ simple } as const)),
      fc
        .oneof(
          fc.constant({ httpHeaderName: 'x-user' }),
          fc.constant({ useSourceIp: true as const }),
          fc.constant({ httpQueryParameterName: 'session' }),
          fc
            .record(
              {
                name: fc.constantFrom('sid', 'user'),
                ttl: duration,
                path: fc.constant('/'),
              },
              { requiredKeys: ['name'] },
            )
            .map(httpCookie => ({ httpCookie })),
        )
        .map(consistentHash => ({ consistentHash })),
    ),
    outlierDetection: fc.record(
      {
        consecutive5xxErrors: fc.integer({ min: 0, max: 100 }),
        interval: duration,
        baseEjectionTime: duration,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const DISTRIBUTIONS: Array<{ from: string; to: Record<string, number> }> = [
  { from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } },
  { from: 'us-west1/zone-a/*', to: { 'us-west1/zone-a/*': 100 } },
];
const PRIORITY_LABELS: string[] = [
  'topology.istio.io/network',
  'topology.kubernetes.io/region',
];

/** Locality-weighted distribution and failover priorities; the intent keeps what its rules allow. */
const locality: fc.Arbitrary<NonNullable<TrafficIntent['locality']>> =
  fc.record(
    {
      distribute: fc
        .constantFrom(...DISTRIBUTIONS)
        .map(rule => [{ from: rule.from, to: { ...rule.to } }]),
      failoverPriority: fc
        .constantFrom(...PRIORITY_LABELS)
        .map(label => [label]),
    },
    { requiredKeys: [] },
  );

/** A canary's analysis and auto flag, or neither: auto only with an analysis. */
const canaryAnalysis = fc.option(
  fc.record({
    analysis: fc.record(
      {
        interval: fc.constantFrom('5s', '30s', '1m', '2h'),
        successRateMin: fc.double({ min: 0, max: 100, noNaN: true }),
        latency: fc.record({
          percentile: fc.constantFrom(50, 90, 99, 99.9),
          maxMs: fc.integer({ min: 1, max: 60_000 }),
        }),
        minRequests: fc.integer({ min: 1, max: 10_000 }),
        failureLimit: fc.integer({ min: 1, max: 10 }),
      },
      {
        requiredKeys: [
          'interval',
          'successRateMin',
          'minRequests',
          'failureLimit',
        ],
      },
    ),
    auto: fc.boolean(),
  }),
  { nil: {} },
);

/** Callers as a person picks them: the mesh's service accounts, another trust domain's principals, namespaces. */
const accessCaller = fc.oneof(
  fc
    .constantFrom(
      'bookinfo/bookinfo-productpage',
      'bookinfo/reviews',
      'shop/checkout.v2',
    )
    .map(serviceAccount => ({ serviceAccount })),
  fc
    .constantFrom(
      'partner.example/ns/shop/sa/api',
      'partner.example/*',
      '*/ns/ops/sa/prober',
    )
    .map(principal => ({ principal })),
  fc.constantFrom('bookinfo', 'istio-ingress').map(namespace => ({
    namespace,
  })),
);

const accessRule = fc.record(
  {
    from: fc.array(accessCaller, { minLength: 1, maxLength: 4 }),
    methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'HEAD'), {
      minLength: 1,
      maxLength: 3,
    }),
    paths: fc.uniqueArray(
      fc.constantFrom('/reviews', '/reviews/*', '*/health', '*'),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: ['from'] },
);

const access = fc.option(
  fc.record({ rules: fc.array(accessRule, { minLength: 1, maxLength: 3 }) }),
  { nil: undefined },
);

/** Valid intents: every field optional but the split; failover only with outlierDetection. */
export const validIntent: fc.Arbitrary<TrafficIntent> = fc
  .tuple(
    split,
    fc.record({ routes, ...routePart }, { requiredKeys: [] }),
    trafficPolicy,
    fc.option(
      fc.constantFrom(
        [{ from: 'us-east1', to: 'us-west1' }],
        [{ from: 'us-west1/zone-a', to: 'us-east1' }],
      ),
      { nil: undefined },
    ),
    fc.option(fc.tuple(fc.integer({ min: 0, max: 4 }), canaryAnalysis), {
      nil: undefined,
    }),
    locality,
    access,
  )
  .map(([s, parts, policy, failover, canaryStep, local, allowed]) => {
    const intent: TrafficIntent = { split: s, ...parts, ...policy };
    if (allowed) intent.access = allowed;
    if (failover && intent.outlierDetection)
      intent.failover = failover.map(f => ({ ...f }));
    const distribute = intent.failover ? undefined : local.distribute;
    const failoverPriority = intent.outlierDetection
      ? local.failoverPriority
      : undefined;
    if (distribute || failoverPriority)
      intent.locality = {
        ...(distribute ? { distribute } : {}),
        ...(failoverPriority ? { failoverPriority } : {}),
      };
    if (canaryStep) {
      const steps = [5, 25, 50, 100];
      const step = canaryStep[0];
      const candidateWeight = step === 0 ? 0 : steps[step - 1];
      intent.canary = {
        baseline: 'v1',
        candidate: 'v2',
        steps,
        step,
        ...canaryStep[1],
      };
      intent.split = [
        { version: 'v1', weight: 100 - candidateWeight },
        { version: 'v2', weight: candidateWeight },
      ];
    }
    return intent;
  });
