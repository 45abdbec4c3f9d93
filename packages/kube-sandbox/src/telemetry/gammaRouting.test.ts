import { routeMirror, routeShares } from './routing';

const endpoints = [
  { version: 'v1', cluster: 'north', ready: 2 },
  { version: 'v1', cluster: 'south', ready: 2 },
  { version: 'v2', cluster: 'south', ready: 1 },
];
const service = (name: string, version: string) => ({
  metadata: { name, namespace: 'storefront' },
  spec: { selector: { app: 'checkout', version } },
});
const services = [service('checkout-v1', 'v1'), service('checkout-v2', 'v2')];
const backend = (name: string, weight: number) => ({
  group: '',
  kind: 'Service',
  name,
  port: 9080,
  weight,
});
/** An HTTPRoute attached to the checkout Service: a header rule first, then the default. */
const route = (defaultRule: Record<string, unknown>) => ({
  metadata: { name: 'checkout', namespace: 'storefront' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'checkout', port: 9080 }],
    rules: [
      {
        matches: [
          { headers: [{ type: 'Exact', name: 'x-beta', value: 'on' }] },
        ],
        backendRefs: [backend('checkout-v2', 100)],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        ...defaultRule,
      },
    ],
  },
});
const rounded = (shares: ReturnType<typeof routeShares>) =>
  shares.map(s => ({ ...s, share: Math.round(s.share * 1000) / 1000 }));
const objects = (httpRoute: Record<string, unknown>) => ({
  virtualServices: [],
  destinationRules: [],
  httpRoutes: [httpRoute],
  services,
});

describe('the traffic model routes an HTTPRoute on the Service as Istio’s GAMMA does', () => {
  it('takes the rule a plain request matches, splits by backend weight, and labels the backend’s host', () => {
    const shares = routeShares(
      'checkout',
      'storefront',
      objects(
        route({
          backendRefs: [backend('checkout-v1', 80), backend('checkout-v2', 20)],
        }),
      ),
      endpoints,
    );
    expect(rounded(shares)).toEqual([
      {
        share: 0.4,
        version: 'v1',
        cluster: 'north',
        service: 'checkout-v1.storefront.svc.cluster.local',
      },
      {
        share: 0.4,
        version: 'v1',
        cluster: 'south',
        service: 'checkout-v1.storefront.svc.cluster.local',
      },
      {
        share: 0.2,
        version: 'v2',
        cluster: 'south',
        service: 'checkout-v2.storefront.svc.cluster.local',
      },
    ]);
  });

  it('answers 500 for the share sent to a backend Service that does not exist', () => {
    const shares = routeShares(
      'checkout',
      'storefront',
      objects(
        route({
          backendRefs: [backend('checkout-v1', 50), backend('checkout-v9', 50)],
        }),
      ),
      endpoints,
    );
    expect(rounded(shares).at(-1)).toEqual({
      share: 0.5,
      localStatus: 500,
      responseFlags: 'NR',
    });
  });

  it('mirrors the filter’s percent of requests to the mirror’s backend', () => {
    const mirror = routeMirror(
      'checkout',
      'storefront',
      objects(
        route({
          backendRefs: [backend('checkout-v1', 100)],
          filters: [
            {
              type: 'RequestMirror',
              requestMirror: {
                backendRef: backend('checkout-v2', 0),
                percent: 25,
              },
            },
          ],
        }),
      ),
      endpoints,
    );
    expect(mirror?.fraction).toBe(0.25);
    expect(mirror?.shares.map(s => s.version)).toEqual(['v2']);
  });
});
