import { untilWatched } from '../__testUtils__/untilWatched';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import {
  allRouting,
  clusterApis,
  createRouting,
} from '../__testUtils__/clusterObjects';
import { startShippedSandbox } from '../__testUtils__/meshBackend';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';
import { reviewsTarget } from '../__testUtils__/prometheusMesh';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const reviews = reviewsTarget;

/** What a person or tool decided of each object (server-set metadata aside), keyed `Kind ns/name`. */
function decided(objects: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(objects).map(([key, json]) => {
      const o = JSON.parse(json);
      const { labels, annotations, ownerReferences } = o.metadata;
      return [key, { labels, annotations, ownerReferences, spec: o.spec }];
    }),
  );
}

describe('a rollout rolled back', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('after an adoption and a hand edit, leaves each cluster holding exactly its recorded objects', async () => {
    const services = await meshServicesFor(
      sandboxMeshConfig(sandbox),
      await databases.init('SQLITE_3'),
    );
    // Hand-written routing for reviews on both primaries: the rollout adopts (deletes) it.
    for (const cluster of ['east', 'west'])
      await createRouting(sandbox, cluster, {
        kind: 'VirtualService',
        metadata: { name: 'reviews-by-hand', namespace: 'bookinfo' },
        spec: {
          hosts: ['reviews'],
          http: [{ route: [{ destination: { host: 'reviews' } }] }],
        },
      });
    const before = {
      east: decided(await allRouting(sandbox, 'east')),
      west: decided(await allRouting(sandbox, 'west')),
    };
    const live = await services.state.read(reviews);
    const started = await services.conductor.start({
      target: reviews,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 80 },
          { version: 'v2', weight: 20 },
        ],
      },
      revision: live.revision,
      adopt: true,
      checkAdoption: async () => undefined,
      rollout: { waves: [['east'], ['west']], bakeSeconds: 3600 },
    });
    expect(started).toMatchObject({ ok: true });
    const east = await allRouting(sandbox, 'east');
    expect(east['VirtualService bookinfo/reviews-by-hand']).toBeUndefined();
    expect(east['VirtualService bookinfo/reviews']).toBeDefined();

    // Someone edits the rollout's VirtualService on east by hand.
    const seen = (await services.state.read(reviews)).revision;
    const { custom } = clusterApis(sandbox, 'east');
    const vs: any = JSON.parse(east['VirtualService bookinfo/reviews']);
    vs.spec.http.at(-1).route[0].weight = 90;
    vs.spec.http.at(-1).route[1].weight = 10;
    await custom.replaceNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'bookinfo',
      plural: 'virtualservices',
      name: 'reviews',
      body: vs,
    });
    await untilWatched(() => services.state.read(reviews), seen);

    const state = await services.conductor.act(
      reviews,
      'rollback',
      'user:default/ops',
    );
    expect(state.status).toBe('rolled-back');
    expect(decided(await allRouting(sandbox, 'east'))).toEqual(before.east);
    expect(decided(await allRouting(sandbox, 'west'))).toEqual(before.west);
    const [last] = await services.store.history(reviews.entityRef, 1);
    // History names the person who rolled it back.
    expect(last).toMatchObject({
      action: 'rollback',
      state: 'applied',
      onBehalfOf: 'user:default/ops',
    });
  }, 60_000);
});
