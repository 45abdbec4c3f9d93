import {
  reviewsGatewayTarget as target,
  reviewsWorkloads,
} from '../__testUtils__/bookinfo';
import { assertAdmitted } from '../__testUtils__/gatewaySchema';
import { HTTPRouteObject, ServiceObject } from '../generate/gatewayTypes';
import { generateRouting } from '../generate/routing';
import { validateIntent } from '../intent/validate';
// Tests only (a devDependency, never in the bundle): the sandbox judges objects by the CRDs as a cluster would.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { CrdValidator } from '@meshtraffic/kube-sandbox';

const HTTPROUTES = 'httproutes.gateway.networking.k8s.io';

/** The seed talk's HTTPRoute: attached to the reviews Service, 50/50 between reviews-v1 and reviews-v3. */
const talkRoute = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
    rules: [
      {
        backendRefs: [
          { name: 'reviews-v1', port: 9080, weight: 50 },
          { name: 'reviews-v3', port: 9080, weight: 50 },
        ],
      },
    ],
  },
};

const refusals = (intent: unknown) => {
  const result = validateIntent(intent, {
    workloads: reviewsWorkloads,
    routingApi: 'gateway-api',
  });
  return result.ok ? [] : result.issues.map(i => i.path);
};

describe('the Gateway API generator', () => {
  const objects = generateRouting(target, {
    split: [
      { version: 'v1', weight: 50 },
      { version: 'v3', weight: 50 },
    ],
  });
  const route = objects.find(o => o.kind === 'HTTPRoute') as HTTPRouteObject;

  it("writes the seed's split as the talk's HTTPRoute, modulo names", () => {
    const talk = JSON.parse(JSON.stringify(talkRoute));
    CrdValidator.fromFiles().applyDefaults(HTTPROUTES, 'v1', talk);
    const { name: _name, ...rule } = route.spec.rules![0];
    expect({ ...route.spec, rules: [rule] }).toEqual(talk.spec);
    expect(route.metadata).toEqual(
      expect.objectContaining({ name: 'reviews', namespace: 'bookinfo' }),
    );
  });

  it('writes a Service per version, selecting app and version, with the service’s ports', () => {
    const services = objects.filter(
      o => o.kind === 'Service',
    ) as ServiceObject[];
    expect(services.map(s => [s.metadata.name, s.spec])).toEqual([
      [
        'reviews-v1',
        {
          selector: { app: 'reviews', version: 'v1' },
          ports: [
            { name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 },
          ],
        },
      ],
      [
        'reviews-v3',
        {
          selector: { app: 'reviews', version: 'v3' },
          ports: [
            { name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 },
          ],
        },
      ],
    ]);
  });

  it('orders Services, then DestinationRules, then the HTTPRoute, and carries policy on a rule per version', () => {
    const withPolicy = generateRouting(target, {
      split: [{ version: 'v1', weight: 100 }],
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
    });
    expect(withPolicy.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/reviews-v1',
      'DestinationRule/reviews-v1',
      'HTTPRoute/reviews',
    ]);
    expect(withPolicy[1].spec).toEqual({
      host: 'reviews-v1.bookinfo.svc.cluster.local',
      trafficPolicy: {
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
      },
    });
    withPolicy.forEach(assertAdmitted);
  });

  it('writes matches, mirror and timeout as Gateway API has them', () => {
    const [, , , r] = generateRouting(target, {
      split: [{ version: 'v1', weight: 100 }],
      routes: [
        {
          name: 'jason',
          match: [
            {
              headers: { 'end-user': { exact: 'jason' } },
              uri: { prefix: '/api' },
              method: { exact: 'GET' },
              queryParams: { beta: { regex: '^on$' } },
            },
          ],
          split: [{ version: 'v2', weight: 100 }],
          mirror: { version: 'v3', percent: 10 },
          timeout: '3s',
        },
      ],
    }) as [ServiceObject, ServiceObject, ServiceObject, HTTPRouteObject];
    expect(r.spec.rules![0]).toEqual({
      name: 'jason',
      matches: [
        {
          path: { type: 'PathPrefix', value: '/api' },
          headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }],
          queryParams: [
            { type: 'RegularExpression', name: 'beta', value: '^on$' },
          ],
          method: 'GET',
        },
      ],
      backendRefs: [
        {
          group: '',
          kind: 'Service',
          name: 'reviews-v2',
          port: 9080,
          weight: 100,
        },
      ],
      filters: [
        {
          type: 'RequestMirror',
          requestMirror: {
            backendRef: {
              group: '',
              kind: 'Service',
              name: 'reviews-v3',
              port: 9080,
            },
            percent: 10,
          },
        },
      ],
      timeouts: { request: '3s' },
    });
    assertAdmitted(r);
  });
});

describe('what a gateway-api mesh refuses, by field', () => {
  const split = [{ version: 'v1', weight: 100 }];

  it('fault injection and retries', () => {
    expect(
      refusals({
        split,
        fault: { abort: { httpStatus: 503, percent: 10 } },
        retries: { attempts: 3 },
      }),
    ).toEqual(['fault', 'retries']);
  });

  it('destinations and mirrors narrowed to a cluster', () => {
    expect(
      refusals({
        split: [{ version: 'v1', cluster: 'east', weight: 100 }],
        mirror: { version: 'v2', cluster: 'east', percent: 5 },
      }),
    ).toEqual(['split[0].cluster', 'mirror.cluster']);
  });

  it('caller-cluster matches, header prefixes, and what the CRD would refuse', () => {
    expect(
      refusals({
        split,
        routes: [
          {
            name: 'r',
            match: [
              { sourceCluster: 'east' },
              { headers: { 'x-user': { prefix: 'a' } } },
              { uri: { prefix: 'api' } },
              { method: { exact: 'FETCH' } },
            ],
            split,
            timeout: '1.5s',
          },
        ],
      }),
    ).toEqual([
      'routes[0].timeout',
      'routes[0].match[0].sourceCluster',
      'routes[0].match[1].headers.x-user.prefix',
      'routes[0].match[2].uri.prefix',
      'routes[0].match[3].method',
    ]);
  });

  it('nothing of the same intent on a mesh on Istio’s API', () => {
    const result = validateIntent(
      { split, fault: { abort: { httpStatus: 503, percent: 10 } } },
      { workloads: reviewsWorkloads, routingApi: 'istio' },
    );
    expect(result.ok).toBe(true);
  });
});
