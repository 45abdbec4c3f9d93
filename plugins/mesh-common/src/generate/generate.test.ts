import { stringify } from 'yaml';
import {
  reviewsTarget as target,
  reviewsWorkloads,
} from '../__testUtils__/bookinfo';
import { assertIstioSchema } from '../__testUtils__/istioSchema';
import { TrafficIntent } from '../intent/schema';
import { validateIntent } from '../intent/validate';
import { parseRouting } from '../parse/parse';
import { removalOrder, serviceHost } from './generate';
import { generateRouting } from './routing';
import { DestinationRuleObject, VirtualServiceObject } from './istioTypes';
import {
  CANARY_ANNOTATION,
  ENTITY_REF_ANNOTATION,
  INTENT_HASH_ANNOTATION,
  MANAGED_BY_LABEL,
} from './metadata';

const host = 'reviews.bookinfo.svc.cluster.local';

/** Generates, and checks what every scenario must keep: valid intent, schema, round trip. */
function generate(intent: TrafficIntent) {
  const validation = validateIntent(intent, { workloads: reviewsWorkloads });
  expect(validation).toEqual({ ok: true, intent });
  const [dr, vs] = generateRouting(target, intent) as [
    DestinationRuleObject,
    VirtualServiceObject,
  ];
  expect(dr.kind).toBe('DestinationRule');
  expect(vs.kind).toBe('VirtualService');
  assertIstioSchema(dr);
  assertIstioSchema(vs);
  expect(parseRouting(vs, dr)).toEqual(intent);
  return { dr, vs };
}

const route = (subset: string, weight: number) => ({
  destination: { host, subset },
  weight,
});

describe('generateRouting: the seed scenarios', () => {
  it('sends all traffic to v1', () => {
    const { dr, vs } = generate({ split: [{ version: 'v1', weight: 100 }] });
    expect(dr.spec).toEqual({
      host,
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    expect(vs.spec).toEqual({
      hosts: [host],
      http: [{ name: 'default', route: [route('v1', 100)] }],
    });
  });

  it('migrates gradually: 50/50 v1/v3, then 100 v3', () => {
    const half = generate({
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v3', weight: 50 },
      ],
    });
    expect(half.vs.spec.http).toEqual([
      { name: 'default', route: [route('v1', 50), route('v3', 50)] },
    ]);
    expect(half.dr.spec.subsets?.map(s => s.name)).toEqual(['v1', 'v3']);

    const done = generate({ split: [{ version: 'v3', weight: 100 }] });
    expect(done.vs.spec.http).toEqual([
      { name: 'default', route: [route('v3', 100)] },
    ]);
    expect(done.dr.spec.subsets).toEqual([
      { name: 'v3', labels: { version: 'v3' } },
    ]);
  });

  it('sends iPhone user agents to a canary and everyone else to v1', () => {
    const regex = '^(.*?;)?(iPhone)(;.*)?$';
    const { vs, dr } = generate({
      split: [{ version: 'v1', weight: 100 }],
      routes: [
        {
          name: 'iphone-users',
          match: [{ headers: { 'user-agent': { regex } } }],
          split: [{ version: 'v2', weight: 100 }],
        },
      ],
    });
    expect(vs.spec.http).toEqual([
      {
        name: 'iphone-users',
        match: [{ headers: { 'user-agent': { regex } } }],
        route: [route('v2', 100)],
      },
      { name: 'default', route: [route('v1', 100)] },
    ]);
    expect(dr.spec.subsets?.map(s => s.name)).toEqual(['v1', 'v2']);
  });

  it('delays every request by 5s', () => {
    const { vs } = generate({
      split: [{ version: 'v1', weight: 100 }],
      fault: { delay: { fixed: '5s', percent: 100 } },
    });
    expect(vs.spec.http?.[0].fault).toEqual({
      delay: { fixedDelay: '5s', percentage: { value: 100 } },
    });
  });

  it('aborts every request with 500', () => {
    const { vs } = generate({
      split: [{ version: 'v1', weight: 100 }],
      fault: { abort: { httpStatus: 500, percent: 100 } },
    });
    expect(vs.spec.http?.[0].fault).toEqual({
      abort: { httpStatus: 500, percentage: { value: 100 } },
    });
  });

  it('mirrors to v2 while serving v1', () => {
    const { vs, dr } = generate({
      split: [{ version: 'v1', weight: 100 }],
      mirror: { version: 'v2', percent: 100 },
    });
    expect(vs.spec.http?.[0]).toEqual({
      name: 'default',
      route: [route('v1', 100)],
      mirror: { host, subset: 'v2' },
      mirrorPercentage: { value: 100 },
    });
    expect(dr.spec.subsets?.map(s => s.name)).toEqual(['v1', 'v2']);
  });

  it('sends 75 % to v3 in cluster 2 and 15 % v1, 10 % v2 in cluster 1', () => {
    const { vs, dr } = generate({
      split: [
        { version: 'v3', cluster: 'west', weight: 75 },
        { version: 'v1', cluster: 'east', weight: 15 },
        { version: 'v2', cluster: 'east', weight: 10 },
      ],
    });
    expect(vs.spec.http?.[0].route).toEqual([
      route('v3-west', 75),
      route('v1-east', 15),
      route('v2-east', 10),
    ]);
    expect(dr.spec.subsets).toEqual([
      {
        name: 'v1-east',
        labels: { 'topology.istio.io/cluster': 'east', version: 'v1' },
      },
      {
        name: 'v2-east',
        labels: { 'topology.istio.io/cluster': 'east', version: 'v2' },
      },
      {
        name: 'v3-west',
        labels: { 'topology.istio.io/cluster': 'west', version: 'v3' },
      },
    ]);
  });

  it('keeps traffic in the source cluster except for one version that lives only in west', () => {
    const { vs } = generate({
      split: [{ version: 'v3', weight: 100 }],
      routes: [
        {
          name: 'from-east',
          match: [{ sourceCluster: 'east' }],
          split: [{ version: 'v1', cluster: 'east', weight: 100 }],
        },
        {
          name: 'from-west',
          match: [{ sourceCluster: 'west' }],
          split: [{ version: 'v1', cluster: 'west', weight: 100 }],
        },
      ],
    });
    expect(vs.spec.http?.map(r => r.match)).toEqual([
      [{ sourceLabels: { 'topology.istio.io/cluster': 'east' } }],
      [{ sourceLabels: { 'topology.istio.io/cluster': 'west' } }],
      undefined,
    ]);
    expect(vs.spec.http?.map(r => r.route?.[0].destination.subset)).toEqual([
      'v1-east',
      'v1-west',
      'v3',
    ]);
  });

  it('fails over region1 -> region2 with outlier detection', () => {
    const { dr } = generate({
      split: [{ version: 'v1', weight: 100 }],
      outlierDetection: {
        consecutive5xxErrors: 3,
        interval: '10s',
        baseEjectionTime: '1m',
      },
      failover: [{ from: 'us-east1', to: 'us-west1' }],
    });
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: {
        localityLbSetting: {
          enabled: true,
          failover: [{ from: 'us-east1', to: 'us-west1' }],
        },
      },
      outlierDetection: {
        baseEjectionTime: '1m',
        consecutive5xxErrors: 3,
        interval: '10s',
      },
    });
  });

  it('carries a canary, timeouts, retries and a connection pool', () => {
    const { vs, dr } = generate({
      split: [
        { version: 'v1', weight: 75 },
        { version: 'v2', weight: 25 },
      ],
      canary: {
        baseline: 'v1',
        candidate: 'v2',
        steps: [5, 25, 50, 100],
        step: 2,
      },
      timeout: '2s',
      retries: {
        attempts: 3,
        perTryTimeout: '1s',
        retryOn: ['5xx', 'connect-failure'],
      },
      connectionPool: {
        http: { http1MaxPendingRequests: 100 },
        tcp: { maxConnections: 100 },
      },
    });
    expect(vs.spec.http?.[0]).toMatchObject({
      timeout: '2s',
      retries: {
        attempts: 3,
        perTryTimeout: '1s',
        retryOn: '5xx,connect-failure',
      },
    });
    expect(JSON.parse(vs.metadata.annotations![CANARY_ANNOTATION])).toEqual({
      baseline: 'v1',
      candidate: 'v2',
      steps: [5, 25, 50, 100],
      step: 2,
    });
    expect(dr.spec.trafficPolicy?.connectionPool).toEqual({
      http: { http1MaxPendingRequests: 100 },
      tcp: { maxConnections: 100 },
    });
  });
});

describe('generateRouting: ownership, order and determinism', () => {
  const intent: TrafficIntent = {
    split: [
      { version: 'v1', weight: 90 },
      { version: 'v2', weight: 10 },
    ],
  };

  it('marks every object as ours, for the entity, with the intent hash', () => {
    for (const obj of generateRouting(target, intent)) {
      expect(obj.metadata.name).toBe('reviews');
      expect(obj.metadata.namespace).toBe('bookinfo');
      expect(obj.metadata.labels?.[MANAGED_BY_LABEL]).toBe(
        'backstage-mesh-traffic',
      );
      expect(obj.metadata.annotations?.[ENTITY_REF_ANNOTATION]).toBe(
        'component:default/reviews',
      );
      expect(obj.metadata.annotations?.[INTENT_HASH_ANNOTATION]).toMatch(
        /^[0-9a-f]{16}$/,
      );
    }
  });

  it('applies the DestinationRule first and removes the VirtualService first', () => {
    const objects = generateRouting(target, intent);
    expect(objects.map(o => o.kind)).toEqual([
      'DestinationRule',
      'VirtualService',
    ]);
    expect(removalOrder(objects).map(o => o.kind)).toEqual([
      'VirtualService',
      'DestinationRule',
    ]);
  });

  it('gives byte-identical YAML for the same intent, whatever its key order', () => {
    const reordered = JSON.parse(
      '{"split":[{"weight":90,"version":"v1"},{"weight":10,"version":"v2"}]}',
    ) as TrafficIntent;
    const a = stringify(generateRouting(target, intent));
    const b = stringify(generateRouting(target, reordered));
    expect(a).toBe(b);
    expect(a).toMatchSnapshot();
  });

  it('changes the hash when the intent changes', () => {
    const [a] = generateRouting(target, intent);
    const [b] = generateRouting(target, {
      split: [{ version: 'v1', weight: 100 }],
    });
    expect(a.metadata.annotations?.[INTENT_HASH_ANNOTATION]).not.toBe(
      b.metadata.annotations?.[INTENT_HASH_ANNOTATION],
    );
  });

  it('routes the fully qualified service host', () => {
    expect(serviceHost(target)).toBe(host);
  });

  it('hashes on a cookie, distributes by locality and fails over by priority, in the DestinationRule', () => {
    const { dr, vs } = generate({
      split: [{ version: 'v1', weight: 100 }],
      routes: [
        {
          name: 'api',
          match: [
            {
              uri: { regex: '^/api/v[0-9]+' },
              queryParams: { beta: { exact: 'true' } },
            },
          ],
          split: [{ version: 'v2', weight: 100 }],
        },
      ],
      loadBalancer: {
        consistentHash: { httpCookie: { name: 'sid', ttl: '30m', path: '/' } },
      },
      outlierDetection: { consecutive5xxErrors: 5 },
      locality: {
        distribute: [
          { from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } },
        ],
        failoverPriority: ['topology.istio.io/network'],
      },
    });
    expect(dr.spec.trafficPolicy?.loadBalancer).toEqual({
      consistentHash: { httpCookie: { name: 'sid', path: '/', ttl: '30m' } },
      localityLbSetting: {
        enabled: true,
        distribute: [
          { from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } },
        ],
        failoverPriority: ['topology.istio.io/network'],
      },
    });
    expect(vs.spec.http![0].match).toEqual([
      {
        uri: { regex: '^/api/v[0-9]+' },
        queryParams: { beta: { exact: 'true' } },
      },
    ]);
  });

  it('selects subsets on the mesh’s version label, and reads them back with it', () => {
    const labelled = { ...target, versionLabel: 'app.kubernetes.io/version' };
    const narrowed: TrafficIntent = {
      split: [
        { version: 'v1', weight: 90 },
        { version: 'v2', cluster: 'east', weight: 10 },
      ],
    };
    const [dr, vs] = generateRouting(labelled, narrowed) as [
      DestinationRuleObject,
      VirtualServiceObject,
    ];
    expect(dr.spec.subsets!.map(x => x.labels)).toEqual([
      { 'app.kubernetes.io/version': 'v1' },
      {
        'topology.istio.io/cluster': 'east',
        'app.kubernetes.io/version': 'v2',
      },
    ]);
    assertIstioSchema(dr);
    expect(parseRouting(vs, dr, 'app.kubernetes.io/version')).toEqual(narrowed);
    expect(() => parseRouting(vs, dr)).toThrow(/only version and/);
  });
});
