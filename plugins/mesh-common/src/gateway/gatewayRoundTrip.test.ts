/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "assertAdmitted"] }] */
import fc from 'fast-check';
import {
  reviewsGatewayTarget as target,
  reviewsWorkloads,
} from '../__testUtils__/bookinfo';
import { gatewayIntent } from '../__testUtils__/gatewayArbitraries';
import { assertAdmitted } from '../__testUtils__/gatewaySchema';
import { HTTPRouteObject, ServiceObject } from '../generate/gatewayTypes';
import {
  AuthorizationPolicyObject,
  DestinationRuleObject,
} from '../generate/istioTypes';
import { parseAuthorizationPolicy, withAccess } from '../generate/access';
import { generateRouting } from '../generate/routing';
import { validateIntent } from '../intent/validate';
import { classifyRouting } from '../parse/classify';
import { parseGatewayRouting } from './parseGateway';

const validForGateway = (intent: unknown) =>
  validateIntent(intent, {
    workloads: reviewsWorkloads,
    routingApi: 'gateway-api',
  });

/** The objects split by kind, as parseGatewayRouting takes them. */
function parts(objects: ReturnType<typeof generateRouting>) {
  return {
    route: objects.find(o => o.kind === 'HTTPRoute') as HTTPRouteObject,
    services: objects.filter(o => o.kind === 'Service') as ServiceObject[],
    policies: objects.filter(
      o => o.kind === 'DestinationRule',
    ) as DestinationRuleObject[],
  };
}

describe('Gateway API generator properties', () => {
  it('the arbitrary yields intents a gateway-api mesh accepts', () => {
    fc.assert(
      fc.property(gatewayIntent, intent => {
        const result = validForGateway(intent);
        expect(result.ok ? [] : result.issues).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('every HTTPRoute, version Service, DestinationRule and AuthorizationPolicy passes the CRD schemas, CEL rules included, with nothing left to default', () => {
    fc.assert(
      fc.property(gatewayIntent, intent => {
        for (const obj of generateRouting(target, intent)) assertAdmitted(obj);
      }),
      { numRuns: 200 },
    );
  });

  it('parse(generate(i)) equals i', () => {
    fc.assert(
      fc.property(gatewayIntent, intent => {
        const objects = generateRouting(target, intent);
        const policy = objects.find(
          (o): o is AuthorizationPolicyObject =>
            o.kind === 'AuthorizationPolicy',
        );
        expect(
          withAccess(
            parseGatewayRouting(parts(objects), target),
            policy && parseAuthorizationPolicy(policy, target),
          ),
        ).toEqual(intent);
      }),
      { numRuns: 300 },
    );
  });

  it('freshly generated objects classify as ours, with their intent', () => {
    fc.assert(
      fc.property(gatewayIntent, intent => {
        const result = classifyRouting(target, generateRouting(target, intent));
        expect(result.objects.every(o => o.status === 'ours')).toBe(true);
        expect(result.intent).toEqual(intent);
      }),
      { numRuns: 200 },
    );
  });
});
