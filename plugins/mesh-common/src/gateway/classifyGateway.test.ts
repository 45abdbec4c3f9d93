import { reviewsGatewayTarget as target } from '../__testUtils__/bookinfo';
import { HTTPRouteObject, ServiceObject } from '../generate/gatewayTypes';
import { RoutingObject } from '../generate/istioTypes';
import { generateRouting } from '../generate/routing';
import { TrafficIntent } from '../intent/schema';
import { classifyRouting } from '../parse/classify';

const intent: TrafficIntent = {
  split: [
    { version: 'v1', weight: 50 },
    { version: 'v3', weight: 50 },
  ],
};
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const ours = () => clone(generateRouting(target, intent));
const routeOf = (objects: RoutingObject[]) =>
  objects.find(o => o.kind === 'HTTPRoute') as HTTPRouteObject;

/** Someone else's HTTPRoute for reviews: the talk's, with whatever metadata marks its writer. */
function foreignRoute(
  metadata: Partial<HTTPRouteObject['metadata']>,
): HTTPRouteObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'reviews-route', namespace: 'bookinfo', ...metadata },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
      rules: [
        {
          backendRefs: [
            {
              group: '',
              kind: 'Service',
              name: 'reviews-v1',
              port: 9080,
              weight: 50,
            },
            {
              group: '',
              kind: 'Service',
              name: 'reviews-v3',
              port: 9080,
              weight: 50,
            },
          ],
        },
      ],
    },
  };
}

/** A version Service someone wrote by hand, selecting reviews' v1 pods. */
const handService = (name: string, version: string): ServiceObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'bookinfo' },
  spec: {
    selector: { app: 'reviews', version },
    ports: [{ name: 'http', port: 9080 }],
  },
});

describe('classifying Gateway API routing', () => {
  it('reads our HTTPRoute, version Services and the server defaults back as ours, with the intent', () => {
    const live = ours();
    // What an API server adds to a Service; the product decides only selector and ports.
    for (const o of live)
      if (o.kind === 'Service')
        Object.assign(o.spec, { clusterIP: '10.0.0.7', type: 'ClusterIP' });
    const result = classifyRouting(target, live);
    expect(result.objects.map(o => `${o.kind}/${o.name}:${o.status}`)).toEqual([
      'Service/reviews-v1:ours',
      'Service/reviews-v3:ours',
      'HTTPRoute/reviews:ours',
    ]);
    expect(result.intent).toEqual(intent);
  });

  it('calls them drifted after a hand edit of the weights, and reads the edit as an intent to adopt', () => {
    const live = ours();
    const route = routeOf(live);
    route.spec.rules![0].backendRefs![0].weight = 80;
    route.spec.rules![0].backendRefs![1].weight = 20;
    const result = classifyRouting(target, live);
    expect(new Set(result.objects.map(o => o.status))).toEqual(
      new Set(['drifted']),
    );
    expect(result.intent).toBeUndefined();
    expect(result.handEdit?.intent?.split).toEqual([
      { version: 'v1', weight: 80 },
      { version: 'v3', weight: 20 },
    ]);
  });

  it('says what a hand edit holds that an intent cannot', () => {
    const live = ours();
    routeOf(live).spec.hostnames = ['reviews.example.com'];
    expect(classifyRouting(target, live).handEdit).toEqual({
      cannotRepresent:
        'the HTTPRoute narrows its hostnames, which an intent cannot express',
    });
  });

  it.each([
    ['kiali', { labels: { kiali_wizard: 'request_routing' } }],
    [
      'flagger',
      {
        ownerReferences: [
          {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'Canary',
            name: 'reviews',
          },
        ],
      },
    ],
    [
      'argo-rollouts',
      {
        annotations: {
          'argo-rollouts.argoproj.io/managed-by-rollouts': 'reviews',
        },
      },
    ],
    ['hand-written', {}],
  ])(
    'tells a %s HTTPRoute on the Service apart as foreign, which adopting deletes',
    (owner, metadata) => {
      const result = classifyRouting(target, [
        foreignRoute(metadata),
        handService('reviews-v1', 'v1'),
      ]);
      expect(result.objects).toEqual([
        expect.objectContaining({
          kind: 'HTTPRoute',
          name: 'reviews-route',
          status: 'foreign',
          owner,
          adoption: 'delete',
        }),
      ]);
    },
  );

  it('blocks an HTTPRoute under our name that also routes through a Gateway: no apply may replace it', () => {
    const route = foreignRoute({ name: 'reviews' });
    route.spec.parentRefs!.push({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: 'ingress',
    });
    const [classified] = classifyRouting(target, [route]).objects;
    expect(classified).toEqual(
      expect.objectContaining({ status: 'foreign', adoption: 'blocked' }),
    );
  });

  it('reads a VirtualService of ours on a mesh now on Gateway API, so the plan can replace it', () => {
    const istio = generateRouting({ ...target, routingApi: 'istio' }, intent);
    const result = classifyRouting(target, istio);
    expect(result.objects.map(o => o.status)).toEqual(['ours', 'ours']);
    expect(result.intent).toEqual(intent);
  });

  it('calls a host with both APIs of ours half-switched, not ours', () => {
    const both = [
      ...generateRouting({ ...target, routingApi: 'istio' }, intent),
      ...ours(),
    ];
    const result = classifyRouting(target, both);
    expect(result.intent).toBeUndefined();
    expect(result.handEdit?.cannotRepresent).toMatch(/did not finish/);
  });
});
