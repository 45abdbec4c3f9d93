import { reviewsTarget as target } from '../__testUtils__/bookinfo';
import { generateRouting } from '../generate/routing';
import {
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
