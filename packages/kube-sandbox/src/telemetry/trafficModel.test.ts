import { ClusterView, TrafficModel } from './trafficModel';

const host = 'reviews.bookinfo.svc.cluster.local';
const deployment = (app: string, version: string, ready: number) => ({
  metadata: {
    name: `${app}-${version}`,
    namespace: 'bookinfo',
    labels: { app, version },
  },
  status: { readyReplicas: ready },
});
const split = (v1: number, v3: number) => [
  {
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      host,
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v3', labels: { version: 'v3' } },
      ],
    },
  },
  {
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      hosts: [host],
      http: [
        {
          route: [
            { destination: { host, subset: 'v1' }, weight: v1 },
            { destination: { host, subset: 'v3' }, weight: v3 },
          ],
        },
      ],
    },
  },
];

/** Two primaries, each with a productpage and reviews v1; v3 on west; routing only where given. */
function world(routing: Record<string, any[]>): ClusterView[] {
  const deployments: Record<string, any[]> = {
    east: [deployment('productpage', 'v1', 1), deployment('reviews', 'v1', 1)],
    west: [
      deployment('productpage', 'v1', 1),
      deployment('reviews', 'v1', 1),
      deployment('reviews', 'v3', 2),
    ],
  };
  return ['east', 'west'].map(name => ({
    name,
    configCluster: name,
    virtualServices: () => (routing[name] ?? []).filter(o => o.spec.hosts),
    destinationRules: () => (routing[name] ?? []).filter(o => o.spec.subsets),
    deployments: () => deployments[name],
  }));
}

/** The observed share of each destination version, from one source cluster's reports. */
function observed(model: TrafficModel, cluster: string) {
  const counts: Record<string, number> = {};
  for (const line of model.text(cluster).split('\n')) {
    const m = /^istio_requests_total\{(.*)\} (\d+)$/.exec(line);
    if (
      !m ||
      !m[1].includes('reporter="source"') ||
      !m[1].includes('destination_service_name="reviews"')
    )
      continue;
    const version = /destination_version="([^"]+)"/.exec(m[1])![1];
    counts[version] = (counts[version] ?? 0) + Number(m[2]);
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    Object.entries(counts).map(([v, n]) => [v, Math.round((100 * n) / total)]),
  );
}

describe('the sandbox traffic model', () => {
  it('routes each caller by its own cluster’s objects: the split where it landed, every endpoint elsewhere', () => {
    const model = new TrafficModel(world({ east: split(80, 20) }), {
      seed: 7,
      requestsPerReplicaPerSecond: 50,
      callers: [
        { namespace: 'bookinfo', service: 'productpage', calls: ['reviews'] },
      ],
    });
    model.advance(20);
    const east = observed(model, 'east');
    expect(Math.abs(east.v1 - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs(east.v3 - 20)).toBeLessThanOrEqual(5);
    // West has no VirtualService: its callers spread over reviews' 4 ready endpoints, v1 2 of them (1 each cluster), v3 2.
    const west = observed(model, 'west');
    expect(Math.abs(west.v1 - 50)).toBeLessThanOrEqual(5);
    expect(Math.abs(west.v3 - 50)).toBeLessThanOrEqual(5);
  });

  it('fails the share of requests a version’s behaviour says, seen by source and destination alike', () => {
    const model = new TrafficModel(
      world({ east: split(0, 100), west: split(0, 100) }),
      {
        seed: 3,
        requestsPerReplicaPerSecond: 100,
        callers: [
          { namespace: 'bookinfo', service: 'productpage', calls: ['reviews'] },
        ],
      },
    );
    const v3 = { namespace: 'bookinfo', service: 'reviews', version: 'v3' };
    model.setBehaviour({ ...v3, cluster: 'west' }, { errorRate: 0.1 });
    // Set after the cluster's own, the version-wide behaviour does not override it.
    model.setBehaviour(v3, { errorRate: 0.5 });
    expect(model.behaviourOf({ ...v3, cluster: 'west' }).errorRate).toBe(0.1);
    expect(model.behaviourOf({ ...v3, cluster: 'east' }).errorRate).toBe(0.5);
    model.advance(10);
    const text = model.text('west');
    const count = (re: RegExp) =>
      text
        .split('\n')
        .filter(l => re.test(l))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    const destinationAll = count(
      /^istio_requests_total\{.*reporter="destination"/,
    );
    const destinationFailed = count(
      /^istio_requests_total\{.*reporter="destination".*response_code="503"/,
    );
    expect(destinationAll).toBe(2000);
    expect(Math.abs(destinationFailed / destinationAll - 0.1)).toBeLessThan(
      0.03,
    );
  });

  it('mirrors the configured share to the shadow, reported by the shadow’s proxy only', () => {
    const [dr, vs] = split(100, 0) as any[];
    vs.spec.http = [
      {
        route: [{ destination: { host, subset: 'v1' }, weight: 100 }],
        mirror: { host, subset: 'v3' },
        mirrorPercentage: { value: 25 },
      },
    ];
    const model = new TrafficModel(world({ east: [dr, vs] }), {
      seed: 5,
      requestsPerReplicaPerSecond: 100,
      callers: [
        { namespace: 'bookinfo', service: 'productpage', calls: ['reviews'] },
      ],
    });
    model.advance(10);
    // The caller sees only v1; v3 (on west) receives a quarter of east's 1000 requests as copies.
    expect(observed(model, 'east')).toEqual({ v1: 100 });
    const shadowed = model
      .text('west')
      .split('\n')
      .filter(
        l =>
          l.startsWith('istio_requests_total{') &&
          l.includes('reporter="destination"') &&
          l.includes('destination_version="v3"') &&
          l.includes('source_cluster="east"'),
      )
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(Math.abs(shadowed - 250)).toBeLessThan(40);
  });

  it('exposes Istio’s metric names, labels and default buckets, the same for the same seed', () => {
    const make = () => {
      const m = new TrafficModel(world({ east: split(80, 20) }), {
        seed: 11,
        callers: [
          { namespace: 'bookinfo', service: 'productpage', calls: ['reviews'] },
        ],
      });
      m.advance(3);
      return m.text('east');
    };
    const text = make();
    expect(text).toBe(make());
    expect(text).toContain('# TYPE istio_requests_total counter');
    expect(text).toContain(
      '# TYPE istio_request_duration_milliseconds histogram',
    );
    expect(text).toMatch(
      /istio_requests_total\{connection_security_policy="unknown",destination_canonical_revision="v1",destination_canonical_service="reviews",destination_cluster="(east|west)",destination_principal="spiffe:\/\/cluster\.local\/ns\/bookinfo\/sa\/reviews",destination_service="reviews\.bookinfo\.svc\.cluster\.local",.*reporter="source",.*source_cluster="east".*\} \d+/,
    );
    expect(text).toMatch(
      /istio_request_duration_milliseconds_bucket\{.*le="0\.5".*\} \d+/,
    );
    expect(text).toMatch(
      /istio_request_duration_milliseconds_bucket\{.*le="\+Inf".*\} \d+/,
    );
  });

  it('answers 403 at the destination to a caller no AuthorizationPolicy admits, on the clusters that hold the policy, seen by both proxies', () => {
    const onlyRatings = {
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        selector: { matchLabels: { app: 'reviews' } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              {
                source: {
                  principals: ['cluster.local/ns/bookinfo/sa/ratings'],
                },
              },
            ],
          },
        ],
      },
    };
    const views = world({}).map(v => ({
      ...v,
      authorizationPolicies: () => (v.name === 'east' ? [onlyRatings] : []),
    }));
    const model = new TrafficModel(views, {
      seed: 5,
      requestsPerReplicaPerSecond: 50,
      callers: [
        { namespace: 'bookinfo', service: 'productpage', calls: ['reviews'] },
      ],
    });
    model.advance(10);
    const codes: Record<string, number> = {};
    for (const cluster of ['east', 'west'])
      for (const line of model.text(cluster).split('\n')) {
        const m = /^istio_requests_total\{(.*)\} (\d+)$/.exec(line);
        if (!m) continue;
        const label = (k: string) =>
          new RegExp(`${k}="([^"]+)"`).exec(m[1])![1];
        const key = `${label('reporter')} ${label(
          'destination_cluster',
        )} ${label('response_code')}`;
        codes[key] = (codes[key] ?? 0) + Number(m[2]);
      }
    // Every call reviews on east received was refused; west, without the policy, answered all.
    expect(Object.keys(codes).sort()).toEqual([
      'destination east 403',
      'destination west 200',
      'source east 403',
      'source west 200',
    ]);
    expect(codes['destination east 403']).toBe(codes['source east 403']);
  });
});
