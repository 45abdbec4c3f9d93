import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { allRouting, clusterApis } from '../__testUtils__/clusterObjects';
import {
  ADMIN_GROUP,
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from '../__testUtils__/meshBackend';

/*
 * Who may claim a host, against a portal whose permission policy allows everything (a new
 * app's allow-all policy; permissions disabled answer the same): the plugin's own rule and the
 * host's claim check must hold by themselves. Every refusal is read back from the clusters.
 */

const BOOKINFO_TEAM = 'group:default/bookinfo-team';
const DATA_TEAM = 'group:default/data-team';
const groups = {
  'user:default/alice': [BOOKINFO_TEAM],
  'user:default/mallory': [DATA_TEAM],
  'user:default/ops': [ADMIN_GROUP],
};
const alice = userHeader('user:default/alice');
const mallory = userHeader('user:default/mallory');
const ops = userHeader('user:default/ops');
const guest = userHeader('user:default/guest');

/** Another team's component whose catalog-info.yaml names bookinfo's details: a squatter. */
const squatter: Entity = serviceEntity(
  'details-squatter',
  'demo',
  'bookinfo',
  DATA_TEAM,
  'details',
);
const entities = [
  serviceEntity('details', 'demo', 'bookinfo'),
  serviceEntity('reviews', 'demo', 'bookinfo'),
  squatter,
];
const allowAll = mockServices.permissions.factory();

const path = (name: string) => `/api/mesh/entities/component/default/${name}`;
const split = (...pairs: Array<[string, number]>) => ({
  split: pairs.map(([version, weight]) => ({ version, weight })),
});

/** What the platform team does: `kubectl annotate namespace bookinfo mesh.meshtraffic.io/owners=...`. */
async function annotateNamespace(
  sandbox: Sandbox,
  cluster: string,
  owners: string,
) {
  const { core } = clusterApis(sandbox, cluster);
  const ns = await core.readNamespace({ name: 'bookinfo' });
  ns.metadata!.annotations = {
    ...ns.metadata!.annotations,
    'mesh.meshtraffic.io/owners': owners,
  };
  await core.replaceNamespace({ name: 'bookinfo', body: ns });
}

function client(server: any) {
  const state = async (name: string, who: string) =>
    (await request(server).get(path(name)).set('Authorization', who)).body;
  const apply = async (name: string, who: string, body: object) =>
    request(server)
      .post(`${path(name)}/apply`)
      .set('Authorization', who)
      .send({ revision: (await state(name, who)).revision, ...body });
  return { state, apply };
}

describe('who may claim a host', () => {
  let sandbox: Sandbox;
  const both = async () => ({
    east: await allRouting(sandbox, 'east'),
    west: await allRouting(sandbox, 'west'),
  });
  beforeEach(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterEach(() => sandbox?.stop());

  it('writes a host two entities claim for neither (409 naming the other, on both pages) until a mesh admin adopts it for one; then no path of the other changes it', async () => {
    const { server } = await startMeshBackend({
      sandbox,
      entities,
      groups,
      features: [allowAll],
    });
    const { state, apply } = client(server);
    const before = await both();
    for (const [name, who, other] of [
      ['details', alice, 'component:default/details-squatter'],
      ['details-squatter', mallory, 'component:default/details'],
    ]) {
      const res = await apply(name, who, {
        intent: {
          ...split(['v1', 100]),
          fault: { abort: { httpStatus: 503, percent: 100 } },
        },
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain(`is also claimed by ${other}`);
      expect((await state(name, who)).writeBlocked).toMatch(
        /no namespace binding says whose it is/,
      );
    }
    expect(await both()).toEqual(before);

    // A mesh admin adopts the host for details; its owners then write it, and the squatter cannot.
    expect(
      (await apply('details', ops, { intent: split(['v1', 100]), adopt: true }))
        .body.ok,
    ).toBe(true);
    const started = await apply('details', alice, {
      intent: split(['v1', 100]),
      rollout: { waves: [['east'], ['west']], bakeSeconds: 3600 },
    });
    expect(started.body.ok).toBe(true);
    const held = await both();
    const { revision } = await state('details-squatter', mallory);
    const attempts = {
      apply: () =>
        apply('details-squatter', mallory, {
          intent: {
            ...split(['v1', 100]),
            fault: { abort: { httpStatus: 503, percent: 100 } },
          },
        }),
      adopt: () =>
        apply('details-squatter', mallory, {
          intent: split(['v1', 100]),
          adopt: true,
        }),
      rollout: () =>
        apply('details-squatter', mallory, {
          intent: split(['v1', 100]),
          rollout: { waves: [['east'], ['west']], bakeSeconds: 0 },
        }),
      canary: () =>
        apply('details-squatter', mallory, {
          intent: {
            ...split(['v1', 100]),
            canary: {
              baseline: 'v1',
              candidate: 'v1',
              steps: [50, 100],
              step: 1,
            },
          },
        }),
      delete: () =>
        request(server)
          .delete(`${path('details-squatter')}/intent`)
          .query({ revision })
          .set('Authorization', mallory),
      rollback: () =>
        request(server)
          .post(`${path('details-squatter')}/rollback`)
          .set('Authorization', mallory)
          .send({ to: started.body.historyId, revision, adopt: true }),
      ...Object.fromEntries(
        (['pause', 'resume', 'finish', 'rollback'] as const).map(action => [
          `rollout ${action}`,
          () =>
            request(server)
              .post(`${path('details-squatter')}/rollout`)
              .set('Authorization', mallory)
              .send({ action }),
        ]),
      ),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      const res = await attempt();
      expect({ name, status: res.status }).toEqual({ name, status: 409 });
      expect(res.body.error.message).toMatch(
        /adopted for component:default\/details by user:default\/ops/,
      );
    }
    expect(await both()).toEqual(held);
  }, 60_000);

  it('lets only the groups the namespace itself names write there: a squatter of an unclaimed-looking host is refused', async () => {
    const { server } = await startMeshBackend({
      sandbox,
      entities: [squatter, serviceEntity('reviews', 'demo', 'bookinfo')],
      groups,
      features: [allowAll],
    });
    for (const cluster of ['east', 'west'])
      await annotateNamespace(sandbox, cluster, BOOKINFO_TEAM);
    const { state, apply } = client(server);
    const before = await both();
    const res = await apply('details-squatter', mallory, {
      intent: {
        ...split(['v1', 100]),
        fault: { abort: { httpStatus: 503, percent: 100 } },
      },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /namespace bookinfo of mesh demo belongs to group:default\/bookinfo-team \(the mesh\.meshtraffic\.io\/owners annotation/,
    );
    expect((await state('details-squatter', mallory)).writeBlocked).toMatch(
      /belongs to group:default\/bookinfo-team/,
    );
    expect(await both()).toEqual(before);
    // The rightful team writes its own service there.
    expect(
      (await apply('reviews', alice, { intent: split(['v1', 100]) })).body.ok,
    ).toBe(true);
  }, 60_000);

  it('refuses to guess when the config clusters bind the namespace to different owners', async () => {
    const { server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups,
      features: [allowAll],
    });
    await annotateNamespace(sandbox, 'east', BOOKINFO_TEAM);
    await annotateNamespace(sandbox, 'west', DATA_TEAM);
    const before = await both();
    const res = await client(server).apply('reviews', alice, {
      intent: split(['v1', 100]),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(
      /bound to different owners on its config clusters \(east: group:default\/bookinfo-team; west: group:default\/data-team\)/,
    );
    expect(await both()).toEqual(before);
  }, 60_000);

  it("holds its own rule under an allow-all policy: only the entity's owners and admins write, unless mesh.writeAccess hands it to the policy", async () => {
    const strict = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups,
      features: [allowAll],
    });
    const before = await both();
    for (const who of [mallory, guest]) {
      const res = await client(strict.server).apply('reviews', who, {
        intent: split(['v1', 100]),
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /only the owners of component:default\/reviews \(group:default\/bookinfo-team\) and a mesh admin/,
      );
    }
    expect(await both()).toEqual(before);
    await strict.stop();

    const delegated = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups,
      features: [allowAll],
      rootExtra: { writeAccess: 'permission-policy' },
    });
    const res = await client(delegated.server).apply('reviews', mallory, {
      intent: split(['v1', 100]),
    });
    expect(res.body.ok).toBe(true);
    await delegated.stop();
  }, 60_000);
});
