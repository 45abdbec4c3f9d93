import { CrdValidator } from './validation';

const validator = CrdValidator.fromFiles();
const HTTPROUTES = 'httproutes.gateway.networking.k8s.io';

/** The seed talk's route: reviews split 50/50 between its v1 and v3 Services. */
const talkRoute = () => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
    rules: [
      {
        matches: [
          {
            path: { type: 'PathPrefix', value: '/api' },
            headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }],
            method: 'GET',
          },
        ],
        filters: [
          {
            type: 'RequestMirror',
            requestMirror: {
              backendRef: { name: 'reviews-v3', port: 9080 },
              percent: 10,
            },
          },
        ],
        backendRefs: [{ name: 'reviews-v3', port: 9080, weight: 100 }],
        timeouts: { request: '5s' },
      },
      {
        backendRefs: [
          { name: 'reviews-v1', port: 9080, weight: 50 },
          { name: 'reviews-v3', port: 9080, weight: 50 },
        ],
      },
    ],
  },
});

describe("Gateway API's CRD schemas, CEL rules included", () => {
  const judged = (route: Record<string, any>) => {
    validator.applyDefaults(HTTPROUTES, 'v1', route);
    return validator.validate(HTTPROUTES, 'v1', route);
  };

  it('accept a mesh HTTPRoute attached to a Service, with the defaults an API server sets', () => {
    const route = talkRoute();
    expect(judged(route)).toEqual([]);
    expect(route.spec.rules[1]).toEqual(
      expect.objectContaining({
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      }),
    );
    expect(route.spec.rules[1].backendRefs[0]).toEqual(
      expect.objectContaining({ group: '', kind: 'Service' }),
    );
  });

  it('refuse a path that does not start with a slash, by a CEL rule', () => {
    const route = talkRoute();
    route.spec.rules[0].matches![0].path.value = 'api';
    expect(judged(route)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'spec.rules[0].matches[0].path',
          message: expect.stringContaining('must be an absolute path'),
        }),
      ]),
    );
  });

  it('refuse a mirror with both percent and fraction', () => {
    const route = talkRoute() as any;
    route.spec.rules[0].filters[0].requestMirror.fraction = {
      numerator: 1,
      denominator: 10,
    };
    expect(judged(route)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'spec.rules[0].filters[0].requestMirror',
        }),
      ]),
    );
  });

  it('refuse a duration Gateway API does not write', () => {
    const route = talkRoute();
    route.spec.rules[0].timeouts!.request = '1.5s';
    expect(judged(route)).toEqual([
      expect.objectContaining({ field: 'spec.rules[0].timeouts.request' }),
    ]);
  });

  it('judge GRPCRoutes and ReferenceGrants too', () => {
    expect(
      validator.validate(
        'referencegrants.gateway.networking.k8s.io',
        'v1beta1',
        {
          spec: {
            from: [
              {
                group: 'gateway.networking.k8s.io',
                kind: 'HTTPRoute',
                namespace: 'a',
              },
            ],
            to: [{ group: '', kind: 'Service' }],
          },
        },
      ),
    ).toEqual([]);
    const grpc = {
      spec: { rules: [{ matches: [{ method: { type: 'Exact' } }] }] },
    };
    validator.applyDefaults('grpcroutes.gateway.networking.k8s.io', 'v1', grpc);
    expect(
      validator.validate('grpcroutes.gateway.networking.k8s.io', 'v1', grpc),
    ).toEqual([
      expect.objectContaining({ field: 'spec.rules[0].matches[0].method' }),
    ]);
  });
});
