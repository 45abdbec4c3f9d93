import fc from 'fast-check';
import {
  reviewsGatewayTarget as gatewayTarget,
  reviewsTarget as target,
} from '../__testUtils__/bookinfo';
import { validIntent } from '../__testUtils__/arbitraries';
import { gatewayIntent } from '../__testUtils__/gatewayArbitraries';
import { generateRouting } from './routing';
import { DestinationRuleObject, RoutingObject } from './istioTypes';
import { afterStep, danglingRoutes, transition } from './transition';
import { resolveHost } from './generate';

/** Every moment of a transition, from `current` through each step. */
function moments(
  current: RoutingObject[],
  writes: RoutingObject[],
  removes: RoutingObject[],
) {
  const states = [current];
  for (const s of transition(current, writes, removes))
    states.push(afterStep(states[states.length - 1], s));
  return states;
}

const key = (o: RoutingObject) => `${o.kind}/${o.metadata.name}`;
const sorted = (objects: RoutingObject[]) =>
  [...objects].sort((a, b) => key(a).localeCompare(key(b)));

/** What an apply removes: what the cluster holds that the desired objects do not name. */
const stale = (current: RoutingObject[], desired: RoutingObject[]) =>
  current.filter(c => !desired.some(d => key(d) === key(c)));

describe('make-before-break transitions', () => {
  it('on Gateway API, never leaves an HTTPRoute sending to a missing Service, and removes the versions left behind', () => {
    fc.assert(
      fc.property(gatewayIntent, gatewayIntent, (from, to) => {
        const current = generateRouting(gatewayTarget, from);
        const desired = generateRouting(gatewayTarget, to);
        const states = moments(current, desired, stale(current, desired));
        for (const state of states) expect(danglingRoutes(state)).toEqual([]);
        expect(sorted(states[states.length - 1])).toEqual(sorted(desired));
      }),
      { numRuns: 200 },
    );
  });

  it('switches a host between routing APIs, either way, without a moment of broken routing', () => {
    fc.assert(
      fc.property(gatewayIntent, fc.boolean(), (intent, toGateway) => {
        const istio = generateRouting(target, intent);
        const gateway = generateRouting(gatewayTarget, intent);
        const [current, desired] = toGateway
          ? [istio, gateway]
          : [gateway, istio];
        const states = moments(current, desired, stale(current, desired));
        for (const state of states) expect(danglingRoutes(state)).toEqual([]);
        expect(sorted(states[states.length - 1])).toEqual(sorted(desired));
      }),
      { numRuns: 200 },
    );
  });

  it('reports an HTTPRoute sending to a Service that does not exist', () => {
    const objects = generateRouting(gatewayTarget, {
      split: [{ version: 'v1', weight: 100 }],
    });
    expect(danglingRoutes(objects.filter(o => o.kind !== 'Service'))).toEqual([
      'HTTPRoute bookinfo/reviews sends to Service bookinfo/reviews-v1, which does not exist',
    ]);
  });

  it('never leaves a route to a missing subset, from any intent to any other, and ends where asked', () => {
    fc.assert(
      fc.property(validIntent, validIntent, (from, to) => {
        const current = generateRouting(target, from);
        const desired = generateRouting(target, to);
        // An access part the new intent drops is removed with it.
        const states = moments(current, desired, stale(current, desired));
        for (const state of states) expect(danglingRoutes(state)).toEqual([]);
        expect(sorted(states[states.length - 1])).toEqual(sorted(desired));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the invariant when creating from nothing and when removing everything', () => {
    fc.assert(
      fc.property(validIntent, intent => {
        const objects = generateRouting(target, intent);
        for (const state of moments([], objects, []))
          expect(danglingRoutes(state)).toEqual([]);
        const removal = moments(objects, [], objects);
        for (const state of removal) expect(danglingRoutes(state)).toEqual([]);
        expect(removal[removal.length - 1]).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('writes who may call after the routes, and lifts it before they go', () => {
    const guarded = generateRouting(target, {
      split: [{ version: 'v1', weight: 100 }],
      access: { rules: [{ from: [{ namespace: 'bookinfo' }] }] },
    });
    expect(transition([], guarded, []).map(s => s.kind)).toEqual([
      'DestinationRule',
      'VirtualService',
      'AuthorizationPolicy',
    ]);
    expect(transition(guarded, [], guarded).map(s => s.kind)).toEqual([
      'AuthorizationPolicy',
      'VirtualService',
      'DestinationRule',
    ]);
  });

  it('promotes a canary in three writes: union DestinationRule, VirtualService, then the final DestinationRule', () => {
    const canary = generateRouting(target, {
      split: [
        { version: 'v1', weight: 90 },
        { version: 'v2', weight: 10 },
      ],
    });
    const promoted = generateRouting(target, {
      split: [{ version: 'v2', weight: 100 }],
    });
    const steps = transition(canary, promoted, []);
    expect(steps.map(s => s.kind)).toEqual([
      'DestinationRule',
      'VirtualService',
      'DestinationRule',
    ]);
    const union = steps[0].desired as DestinationRuleObject;
    expect(union.spec.subsets!.map(s => s.name).sort()).toEqual(
      (canary[0] as DestinationRuleObject).spec
        .subsets!.map(s => s.name)
        .sort(),
    );
  });

  it('names a route to a subset the DestinationRule lacks', () => {
    const [dr, vs] = generateRouting(target, {
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 50 },
      ],
    }) as [DestinationRuleObject, RoutingObject];
    const thin = {
      ...dr,
      spec: { ...dr.spec, subsets: dr.spec.subsets!.slice(0, 1) },
    };
    expect(danglingRoutes([thin, vs])).toEqual([
      expect.stringMatching(
        /routes to subset .* which no DestinationRule defines/,
      ),
    ]);
  });

  it('resolves hosts as Istio does: short names in the object’s namespace, the .svc forms to the full name', () => {
    const full = 'reviews.bookinfo.svc.cluster.local';
    expect(
      [
        'reviews',
        'reviews.bookinfo',
        'reviews.bookinfo.svc',
        full,
        `${full}.`,
      ].map(h => resolveHost(h, 'bookinfo')),
    ).toEqual([full, full, full, full, full]);
    expect(resolveHost('reviews', 'other')).toBe(
      'reviews.other.svc.cluster.local',
    );
    expect(resolveHost('api.example.com', 'bookinfo')).toBe('api.example.com');
  });
});
