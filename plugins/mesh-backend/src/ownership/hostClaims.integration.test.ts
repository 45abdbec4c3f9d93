import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  TrafficIntent,
  withCanary,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { allRouting, clusterApis } from '../__testUtils__/clusterObjects';
import {
  ADMIN_GROUP,
  serviceEntity,
  entityPath,
  split,
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

const path = entityPath;

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

/**
 * reviews and reviews-twin, both of the team the namespace is bound to (the binding lets both
 * write there), naming one host: a mesh admin adopts it for reviews.
 */
async function startTwins(
  sandbox: Sandbox,
  auditor: any,
  meshExtra: Record<string, unknown> = {},
) {
  const { server } = await startMeshBackend({
    sandbox,
    entities: [
      serviceEntity('reviews', 'demo', 'bookinfo'),
      serviceEntity(
        'reviews-twin',
        'demo',
        'bookinfo',
        BOOKINFO_TEAM,
        'reviews',
      ),
    ],
    groups,
    features: [allowAll, auditor],
    meshExtra: {
      namespaces: [{ name: 'bookinfo', owners: [BOOKINFO_TEAM] }],
      ...meshExtra,
    },
  });
  const twins = client(server);
  expect(
    (
      await twins.apply('reviews', ops, {
        intent: split(['v1', 100]),
        adopt: true,
      })
    ).body.ok,
  ).toBe(true);
  return { server, ...twins };
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

    // An admin's adoption that does not land (a stale revision) adopts nothing.
    const stale = await request(server)
      .post(`${path('details')}/apply`)
      .set('Authorization', ops)
      .send({ intent: split(['v1', 100]), adopt: true, revision: 'stale' });
    expect(stale.status).toBe(409);
    expect((await state('details', alice)).writeBlocked).toMatch(
      /no namespace binding says whose it is/,
    );
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
    // While details' rollout runs, every path is judged against the rollout first: not its own.
    for (const [name, attempt] of Object.entries(attempts)) {
      const res = await attempt();
      expect({ name, status: res.status }).toEqual({ name, status: 403 });
      expect(res.body.error.message).toMatch(
        /^rollout #\d+ of details in bookinfo was started by component:default\/details/,
      );
    }
    expect(await both()).toEqual(held);
    // Once it has ended, the host is still details': the squatter's writes are refused for that.
    const ended = await request(server)
      .post(`${path('details')}/rollout`)
      .set('Authorization', alice)
      .send({ action: 'rollback' });
    expect(ended.body.status).toBe('rolled-back');
    const after = await both();
    for (const name of ['apply', 'adopt', 'rollout', 'canary', 'delete']) {
      const res = await attempts[name as keyof typeof attempts]();
      expect({ name, status: res.status }).toEqual({ name, status: 409 });
      expect(res.body.error.message).toMatch(
        /adopted for component:default\/details by user:default\/ops/,
      );
    }
    expect(await both()).toEqual(after);
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

  it('lets only the entity that started a rollout steer it, and audits every attempt', async () => {
    const audit: any[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async (options: any) => ({
        success: async () =>
          void audit.push({ eventId: options.eventId, result: 'success' }),
        fail: async ({ error }: any) =>
          void audit.push({
            eventId: options.eventId,
            entityRef: options.meta.entityRef,
            error: error.name,
          }),
      }),
    });
    const { server, apply } = await startTwins(sandbox, auditor.factory);
    const started = await apply('reviews', alice, {
      intent: split(['v1', 50], ['v2', 50]),
      rollout: { waves: [['east'], ['west']], bakeSeconds: 3600 },
    });
    expect(started.body.ok).toBe(true);
    const held = await both();
    // Every action is checked against the rollout, which is not reviews-twin's, before the host.
    const notItsOwn =
      /^rollout #\d+ of reviews in bookinfo was started by component:default\/reviews; only who may change/;
    for (const action of ['pause', 'rollback', 'resume', 'finish']) {
      const res = await request(server)
        .post(`${path('reviews-twin')}/rollout`)
        .set('Authorization', alice)
        .send({ action });
      expect({ action, status: res.status }).toEqual({ action, status: 403 });
      expect(res.body.error.message).toMatch(notItsOwn);
    }
    // So is any other write of the host while the rollout runs: it would change what it stands on.
    const writes = {
      apply: await apply('reviews-twin', alice, {
        intent: split(['v2', 100]),
      }),
      rollback: await request(server)
        .post(`${path('reviews-twin')}/rollback`)
        .set('Authorization', alice)
        .send({ to: 1, revision: 'any' }),
      remove: await request(server)
        .delete(`${path('reviews-twin')}/intent`)
        .query({ revision: 'any' })
        .set('Authorization', alice),
    };
    for (const [what, res] of Object.entries(writes)) {
      expect({ what, status: res.status }).toEqual({ what, status: 403 });
      expect(res.body.error.message).toMatch(notItsOwn);
    }
    expect(await both()).toEqual(held);
    expect(
      audit.filter(
        a =>
          a.eventId === 'traffic-rollout' &&
          a.entityRef === 'component:default/reviews-twin',
      ),
    ).toHaveLength(4);
    expect(
      audit.filter(
        a =>
          a.entityRef === 'component:default/reviews-twin' &&
          ['traffic-apply', 'traffic-rollback', 'traffic-remove'].includes(
            a.eventId,
          ),
      ),
    ).toHaveLength(3);
    const paused = await request(server)
      .post(`${path('reviews')}/rollout`)
      .set('Authorization', alice)
      .send({ action: 'pause' });
    expect(paused.body.status).toBe('paused');
    expect(audit).toContainEqual({
      eventId: 'traffic-rollout',
      result: 'success',
    });
  }, 60_000);

  it('lets only the entity that started an automatic canary step, promote or abort it', async () => {
    const audit: any[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async (options: any) => ({
        success: async () => undefined,
        fail: async () =>
          void audit.push({
            eventId: options.eventId,
            entityRef: options.meta.entityRef,
          }),
      }),
    });
    // Never scraped here: the test's scheduler is manual, so the analysis does not run.
    const { apply, state } = await startTwins(sandbox, auditor.factory, {
      prometheus: { url: 'http://127.0.0.1:9' },
    });
    const canary = withCanary(split(['v1', 100]) as TrafficIntent, {
      action: 'start',
      baseline: 'v1',
      candidate: 'v2',
      steps: [25, 100],
      analysis: {
        interval: '1m',
        successRateMin: 99,
        minRequests: 20,
        failureLimit: 2,
      },
      auto: true,
    });
    expect((await apply('reviews', alice, { intent: canary })).body.ok).toBe(
      true,
    );
    const held = await both();
    // Its page says so before anything is tried.
    expect((await state('reviews-twin', alice)).writeBlocked).toMatch(
      /^the automatic canary of reviews in bookinfo was started by component:default\/reviews/,
    );
    expect((await state('reviews', alice)).writeBlocked).toBeUndefined();
    for (const action of ['advance', 'promote', 'abort'] as const) {
      const res = await apply('reviews-twin', alice, {
        intent: withCanary(canary, { action }),
      });
      expect({ action, status: res.status }).toEqual({ action, status: 403 });
      expect(res.body.error.message).toMatch(
        /^the automatic canary of reviews in bookinfo was started by component:default\/reviews; only who may change/,
      );
    }
    expect(await both()).toEqual(held);
    expect(audit).toEqual(
      ['advance', 'promote', 'abort'].map(() => ({
        eventId: 'traffic-apply',
        entityRef: 'component:default/reviews-twin',
      })),
    );
    // Its own entity still steers it.
    expect(
      (
        await apply('reviews', alice, {
          intent: withCanary(canary, { action: 'abort' }),
        })
      ).body.ok,
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
