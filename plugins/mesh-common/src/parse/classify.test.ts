import { reviewsTarget as target } from '../__testUtils__/bookinfo';
import { generateRouting } from '../generate/routing';
import {
  AuthorizationPolicyObject,
  DestinationRuleObject,
  RoutingObject,
  VirtualServiceObject,
} from '../generate/istioTypes';
import { TrafficIntent } from '../intent/schema';
import { classifyRouting, routingOwner } from './classify';
import { parseRouting, RoutingParseError } from './parse';

const intent: TrafficIntent = {
  split: [
    { version: 'v1', weight: 80 },
    { version: 'v2', weight: 20 },
  ],
};
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function foreignVs(
  metadata: Partial<VirtualServiceObject['metadata']>,
): VirtualServiceObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews-by-hand', namespace: 'bookinfo', ...metadata },
    spec: {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    },
  };
}

describe('classifyRouting', () => {
  it('recognises our unchanged objects and reads back their intent', () => {
    const result = classifyRouting(target, generateRouting(target, intent));
    expect(result.objects.map(o => [o.kind, o.status, o.owner])).toEqual([
      ['DestinationRule', 'ours', 'backstage-mesh'],
      ['VirtualService', 'ours', 'backstage-mesh'],
    ]);
    expect(result.intent).toEqual(intent);
  });

  it('calls our objects drifted when the spec was edited by hand', () => {
    const [dr, vs] = clone(generateRouting(target, intent)) as [
      DestinationRuleObject,
      VirtualServiceObject,
    ];
    vs.spec.http![0].route![0].weight = 70;
    vs.spec.http![0].route![1].weight = 30;
    const result = classifyRouting(target, [dr, vs]);
    expect(result.objects.map(o => o.status)).toEqual(['drifted', 'drifted']);
    expect(result.objects[1].reason).toMatch(/hash/);
    expect(result.intent).toBeUndefined();
    // The hand edit reads back as an intent that adopting would apply.
    expect(result.handEdit).toEqual({
      intent: {
        ...intent,
        split: [
          { version: intent.split[0].version, weight: 70 },
          { version: intent.split[1].version, weight: 30 },
        ],
      },
    });
  });

  it('calls our objects drifted when a field the intent cannot say was added', () => {
    const [dr, vs] = clone(generateRouting(target, intent)) as [
      DestinationRuleObject,
      VirtualServiceObject,
    ];
    vs.spec.http![0].corsPolicy = { allowOrigins: [{ exact: '*' }] };
    const result = classifyRouting(target, [dr, vs]);
    expect(result.objects[1]).toMatchObject({
      status: 'drifted',
      reason: expect.stringMatching(/corsPolicy/),
    });
    expect(result.handEdit).toEqual({
      cannotRepresent: expect.stringMatching(/corsPolicy/),
    });
  });

  describe('with access', () => {
    const guarded: TrafficIntent = {
      ...intent,
      access: {
        rules: [
          {
            from: [{ serviceAccount: 'bookinfo/bookinfo-productpage' }],
            methods: ['GET'],
          },
        ],
      },
    };
    const objects = () =>
      clone(generateRouting(target, guarded)) as [
        DestinationRuleObject,
        VirtualServiceObject,
        AuthorizationPolicyObject,
      ];

    it('reads the intent back with its access part, the policy ours', () => {
      const result = classifyRouting(target, objects());
      expect(result.objects.map(o => [o.kind, o.status])).toEqual([
        ['DestinationRule', 'ours'],
        ['VirtualService', 'ours'],
        ['AuthorizationPolicy', 'ours'],
      ]);
      expect(result.intent).toEqual(guarded);
    });

    it('calls every object drifted when someone let another caller in by hand, and reads the edit back', () => {
      const [dr, vs, policy] = objects();
      policy.spec.rules![0].from!.push({
        source: { principals: ['cluster.local/ns/shop/sa/sneaky'] },
      });
      const result = classifyRouting(target, [dr, vs, policy]);
      expect(result.objects.map(o => o.status)).toEqual([
        'drifted',
        'drifted',
        'drifted',
      ]);
      expect(result.intent).toBeUndefined();
      expect(result.handEdit?.intent?.access?.rules[0].from).toEqual([
        { serviceAccount: 'bookinfo/bookinfo-productpage' },
        { serviceAccount: 'shop/sneaky' },
      ]);
    });

    it('calls a policy turned into DENY, or given a condition the intent cannot say, drifted with the reason', () => {
      const [dr, vs, policy] = objects();
      policy.spec.action = 'DENY';
      expect(
        classifyRouting(target, [dr, vs, policy]).objects[2],
      ).toMatchObject({
        status: 'drifted',
        reason: expect.stringMatching(/DENY/),
      });
      const [dr2, vs2, policy2] = objects();
      policy2.spec.rules![0].when = [
        { key: 'request.headers[x-debug]', values: ['1'] },
      ];
      const result = classifyRouting(target, [dr2, vs2, policy2]);
      expect(result.objects[2].status).toBe('drifted');
      expect(result.handEdit?.cannotRepresent).toMatch(/cannot express/);
    });

    it('calls the routing drifted when its policy was deleted by hand', () => {
      const [dr, vs] = objects();
      const result = classifyRouting(target, [dr, vs]);
      expect(result.objects.map(o => o.status)).toEqual(['drifted', 'drifted']);
      expect(result.handEdit?.intent).toEqual(intent);
    });

    it("ignores another policy on the service's workloads, and calls one under our name written by hand foreign, rewritten on adoption", () => {
      const [dr, vs, policy] = objects();
      const teams = {
        ...clone(policy),
        metadata: { name: 'team-wide', namespace: 'bookinfo' },
      };
      const byHand = { ...clone(policy), metadata: { ...policy.metadata } };
      byHand.metadata.labels = {};
      const result = classifyRouting(target, [dr, vs, teams, byHand]);
      expect(
        result.objects.map(o => [o.kind, o.name, o.status, o.adoption]),
      ).toEqual([
        ['DestinationRule', 'reviews', 'drifted', undefined],
        ['VirtualService', 'reviews', 'drifted', undefined],
        ['AuthorizationPolicy', 'reviews', 'foreign', 'rewrite'],
      ]);
    });
  });

  it('calls a lone VirtualService of ours drifted', () => {
    const [, vs] = generateRouting(target, intent);
    expect(classifyRouting(target, [vs]).objects[0]).toMatchObject({
      status: 'drifted',
      reason: expect.stringMatching(/DestinationRule/),
    });
  });

  it('names the owners of foreign routing for the host', () => {
    const live: RoutingObject[] = [
      foreignVs({ name: 'kiali', labels: { kiali_wizard: 'request_routing' } }),
      foreignVs({
        name: 'flagger',
        ownerReferences: [
          {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'Canary',
            name: 'reviews',
          },
        ],
      }),
      foreignVs({
        name: 'argo',
        annotations: {
          'argo-rollouts.argoproj.io/managed-by-rollouts': 'reviews',
        },
      }),
      foreignVs({ name: 'manual' }),
    ];
    const result = classifyRouting(target, live);
    expect(result.objects.map(o => [o.name, o.status, o.owner])).toEqual([
      ['kiali', 'foreign', 'kiali'],
      ['flagger', 'foreign', 'flagger'],
      ['argo', 'foreign', 'argo-rollouts'],
      ['manual', 'foreign', 'hand-written'],
    ]);
    expect(routingOwner(live[0])).toBe('kiali');
  });

  it("calls our objects written for another entity foreign, that entity's, to be rewritten on adoption", () => {
    const other = { ...target, entityRef: 'component:default/mongodb' };
    const result = classifyRouting(target, generateRouting(other, intent));
    expect(
      result.objects.map(o => [o.kind, o.status, o.ownerEntityRef, o.adoption]),
    ).toEqual([
      ['DestinationRule', 'foreign', 'component:default/mongodb', 'rewrite'],
      ['VirtualService', 'foreign', 'component:default/mongodb', 'rewrite'],
    ]);
    expect(result.intent).toBeUndefined();
  });

  it('says what adopting does with each foreign object: delete, keep (other hosts, other namespace) or blocked', () => {
    const onlyOurs = foreignVs({ name: 'reviews-by-hand' });
    const shared = foreignVs({ name: 'shared' });
    shared.spec.hosts = ['reviews', 'ratings'];
    const nameTaken = foreignVs({ name: 'reviews' });
    nameTaken.spec.hosts = ['ratings'];
    const elsewhere = foreignVs({ name: 'reviews-gw', namespace: 'frontend' });
    elsewhere.spec.hosts = ['reviews.bookinfo.svc.cluster.local'];
    const shortElsewhere = foreignVs({
      name: 'reviews',
      namespace: 'frontend',
    });
    const result = classifyRouting(target, [
      onlyOurs,
      shared,
      nameTaken,
      elsewhere,
      shortElsewhere,
    ]);
    expect(result.objects.map(o => [o.namespace, o.name, o.adoption])).toEqual([
      ['bookinfo', 'reviews-by-hand', 'delete'],
      ['bookinfo', 'shared', 'keep'],
      ['bookinfo', 'reviews', 'blocked'],
      ['frontend', 'reviews-gw', 'keep'],
    ]);
    expect(result.objects[1].reason).toMatch(
      /also routes ratings.*remove reviews from its hosts/,
    );
    expect(result.objects[2].reason).toMatch(
      /routes ratings; no apply can replace it/,
    );
    expect(result.objects[3].reason).toMatch(/another namespace/);
  });

  it('ignores routing for other hosts', () => {
    const other = foreignVs({ name: 'ratings' });
    other.spec.hosts = ['ratings.bookinfo.svc.cluster.local'];
    expect(classifyRouting(target, [other]).objects).toEqual([]);
  });
});

describe('parseRouting of foreign objects', () => {
  const dr: DestinationRuleObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      host: 'reviews',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    },
  };

  it('reads a hand-written VirtualService that an intent can express (adoption)', () => {
    expect(parseRouting(foreignVs({}), dr)).toEqual({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('names what it cannot express', () => {
    const vs = foreignVs({});
    vs.spec.http![0].rewrite = { uri: '/' };
    expect(() => parseRouting(vs, dr)).toThrow(RoutingParseError);
    expect(() => parseRouting(vs, dr)).toThrow(/rewrite/);
  });

  it('refuses a subset the DestinationRule does not define', () => {
    const vs = foreignVs({});
    vs.spec.http![0].route![0].destination.subset = 'v2';
    expect(() => parseRouting(vs, dr)).toThrow(/subset v2/);
  });
});
