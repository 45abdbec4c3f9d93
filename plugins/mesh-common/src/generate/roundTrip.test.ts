/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "assertIstioSchema"] }] */
import fc from 'fast-check';
import {
  reviewsTarget as target,
  reviewsWorkloads,
} from '../__testUtils__/bookinfo';
import { validIntent } from '../__testUtils__/arbitraries';
import { assertIstioSchema } from '../__testUtils__/istioSchema';
import { validateIntent } from '../intent/validate';
import { classifyRouting } from '../parse/classify';
import { parseRouting } from '../parse/parse';
import { generateRouting } from './routing';
import {
  AuthorizationPolicyObject,
  DestinationRuleObject,
  VirtualServiceObject,
} from './istioTypes';
import { parseAuthorizationPolicy, withAccess } from './access';

describe('generator properties', () => {
  it('every generated intent is valid (the arbitrary itself is sound)', () => {
    fc.assert(
      fc.property(validIntent, intent => {
        const result = validateIntent(intent, { workloads: reviewsWorkloads });
        expect(result.ok ? [] : result.issues).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('parse(generate(i)) equals i', () => {
    fc.assert(
      fc.property(validIntent, intent => {
        const [dr, vs, policy] = generateRouting(target, intent) as [
          DestinationRuleObject,
          VirtualServiceObject,
          AuthorizationPolicyObject | undefined,
        ];
        expect(
          withAccess(
            parseRouting(vs, dr),
            policy && parseAuthorizationPolicy(policy, target),
          ),
        ).toEqual(intent);
      }),
      { numRuns: 300 },
    );
  });

  it("every generated object passes Istio's CRD schema", () => {
    fc.assert(
      fc.property(validIntent, intent => {
        for (const obj of generateRouting(target, intent))
          assertIstioSchema(obj);
      }),
      { numRuns: 200 },
    );
  });

  it('freshly generated objects classify as ours, with their intent', () => {
    fc.assert(
      fc.property(validIntent, intent => {
        const result = classifyRouting(target, generateRouting(target, intent));
        expect(result.objects.every(o => o.status === 'ours')).toBe(true);
        expect(result.intent).toEqual(intent);
      }),
      { numRuns: 200 },
    );
  });
});
