import { mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { allRouting, createRouting } from '../__testUtils__/clusterObjects';
import {
  ADMIN_GROUP,
  serviceEntity,
  entityPath,
  split,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from '../__testUtils__/meshBackend';

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

/** A second entity whose annotations name the reviews host too, owned by another team. */
const reviewsCopy: Entity = {
  ...serviceEntity('reviews-copy', 'demo', 'bookinfo', DATA_TEAM),
  metadata: {
    name: 'reviews-copy',
    namespace: 'default',
    annotations: {
      'mesh.meshtraffic.io/mesh': 'demo',
      'mesh.meshtraffic.io/namespace': 'bookinfo',
      'mesh.meshtraffic.io/service': 'reviews',
    },
  },
};
const mongodb: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'mongodb', namespace: 'default' },
  spec: { type: 'service', owner: DATA_TEAM, lifecycle: 'production' },
};
const entities = [
  serviceEntity('reviews', 'demo', 'bookinfo'),
  serviceEntity('details', 'demo', 'bookinfo'),
  serviceEntity('ratings', 'demo', 'bookinfo'),
  reviewsCopy,
  mongodb,
];

/** The policy the portal ships, reduced to its rule: owners (and admins) update, everyone reads. */
const ownersPolicy = mockServices.permissions.mock({
  authorize: async (requests: any[], { credentials }: any) =>
    requests.map(r => {
      if (r.permission.attributes.action !== 'update')
        return { result: AuthorizeResult.ALLOW };
      const claims =
        (groups as Record<string, string[]>)[
          credentials.principal.userEntityRef
        ] ?? [];
      const owner = entities.find(e => stringifyEntityRef(e) === r.resourceRef)
        ?.spec?.owner as string;
      return {
        result:
          claims.includes(owner) || claims.includes(ADMIN_GROUP)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      };
    }),
});

const path = entityPath;

describe('ownership: no entity changes, adopts or deletes routing it does not own', () => {
  let sandbox: Sandbox;
  let server: any;
  const audit: any[] = [];
  const state = async (name: string, who = alice) =>
    (await request(server).get(path(name)).set('Authorization', who)).body;
  const both = async () => ({
    east: await allRouting(sandbox, 'east'),
    west: await allRouting(sandbox, 'west'),
  });

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    const auditor = mockServices.auditor.mock({
      createEvent: async (options: any) => ({
        success: async () =>
          void audit.push({
            eventId: options.eventId,
            entityRef: options.meta.entityRef,
            result: 'success',
          }),
        fail: async ({ error }: any) =>
          void audit.push({
            eventId: options.eventId,
            entityRef: options.meta.entityRef,
            result: 'fail',
            error: error.name,
          }),
      }),
    });
    ({ server } = await startMeshBackend({
      sandbox,
      entities,
      groups,
      features: [ownersPolicy.factory, auditor.factory],
    }));
    // The victim: reviews-copy claims reviews' host too, and nothing binds bookinfo, so a mesh
    // admin adopts the host for reviews; its routing is 80/20 on both primaries.
    const res = await request(server)
      .post(`${path('reviews')}/apply`)
      .set('Authorization', ops)
      .send({
        intent: split(['v1', 80], ['v3', 20]),
        revision: (await state('reviews')).revision,
        adopt: true,
      });
    if (!res.body.ok)
      throw new Error(`the victim's routing was not applied: ${res.text}`);
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it('refuses onboarding onto a host another entity claims (409, naming it), and needs the update permission', async () => {
    const before = await both();
    const onboarding = {
      mesh: 'demo',
      namespace: 'bookinfo',
      service: 'reviews',
    };
    const plan = await request(server)
      .post(`${path('mongodb')}/plan`)
      .set('Authorization', mallory)
      .send({ intent: split(['v1', 100]), onboarding });
    expect(plan.status).toBe(409);
    expect(plan.body.error.message).toMatch(
      /already claimed by component:default\/reviews, component:default\/reviews-copy/,
    );
    const apply = await request(server)
      .post(`${path('mongodb')}/apply`)
      .set('Authorization', mallory)
      .send({
        intent: split(['v1', 100]),
        onboarding,
        revision: (await state('reviews')).revision,
        adopt: true,
      });
    expect(apply.status).toBe(409);
    // Onboarding someone else's entity is a change to it: the update permission, not read.
    const notOwner = await request(server)
      .post(`${path('mongodb')}/plan`)
      .set('Authorization', alice)
      .send({ intent: split(['v1', 100]), onboarding });
    expect(notOwner.status).toBe(403);
    expect(await both()).toEqual(before);
  });

  it('shows a second annotated entity the host as held by the first, and refuses its apply and its adopt (409: a mesh admin adopted the host for the first)', async () => {
    const before = await both();
    const seen = await state('reviews-copy', mallory);
    expect(seen.heldBy).toBe('component:default/reviews');
    expect(seen.claimedBy).toEqual(['component:default/reviews']);
    expect(seen.intent).toBeUndefined();
    expect(seen.writeBlocked).toMatch(
      /was adopted for component:default\/reviews by user:default\/ops; component:default\/reviews-copy claims it too/,
    );
    const vs = seen.clusters
      .find((c: any) => c.cluster === 'east')
      .routing.find((o: any) => o.kind === 'VirtualService');
    expect(vs).toMatchObject({
      status: 'foreign',
      owner: 'backstage-mesh',
      ownerEntityRef: 'component:default/reviews',
      adoption: 'rewrite',
    });

    const send = (extra: object) =>
      request(server)
        .post(`${path('reviews-copy')}/apply`)
        .set('Authorization', mallory)
        .send({
          intent: split(['v2', 100]),
          revision: seen.revision,
          ...extra,
        });
    for (const extra of [{}, { adopt: true }]) {
      const res = await send(extra);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(
        /adopted for component:default\/reviews by user:default\/ops/,
      );
    }
    expect(await both()).toEqual(before);
  });

  it('refuses DELETE of routing held by another entity, without the permission, and without the revision seen', async () => {
    const before = await both();
    const { revision } = await state('reviews');
    const held = await request(server)
      .delete(`${path('reviews-copy')}/intent`)
      .query({ revision })
      .set('Authorization', mallory);
    expect(held.status).toBe(409);
    expect(held.body.error.message).toMatch(
      /adopted for component:default\/reviews by user:default\/ops/,
    );
    expect(
      (
        await request(server)
          .delete(`${path('reviews')}/intent`)
          .query({ revision })
          .set('Authorization', mallory)
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .delete(`${path('mongodb')}/intent`)
          .query({ revision })
          .set('Authorization', mallory)
      ).status,
    ).toBe(404);
    const noRevision = await request(server)
      .delete(`${path('reviews')}/intent`)
      .set('Authorization', alice);
    expect(noRevision.status).toBe(400);
    expect(noRevision.body.error.message).toMatch(
      /the revision you saw.*revision: Required/,
    );
    expect(
      (
        await request(server)
          .delete(`${path('reviews')}/intent`)
          .query({ revision: 'stale' })
          .set('Authorization', alice)
      ).status,
    ).toBe(409);
    expect(await both()).toEqual(before);
  });

  it("refuses rollback of another team's routing (403), and through a second claimant (409)", async () => {
    const before = await both();
    const [entry] = (
      await request(server)
        .get(`${path('reviews')}/history`)
        .set('Authorization', mallory)
    ).body.items;
    const { revision } = await state('reviews');
    const theirs = await request(server)
      .post(`${path('reviews')}/rollback`)
      .set('Authorization', mallory)
      .send({ to: entry.id, revision });
    expect(theirs.status).toBe(403);
    const viaCopy = await request(server)
      .post(`${path('reviews-copy')}/rollback`)
      .set('Authorization', mallory)
      .send({ to: entry.id, revision, adopt: true });
    expect(viaCopy.status).toBe(409);
    expect(await both()).toEqual(before);
  });

  it('audits the refused attempts too', () => {
    expect(audit).toEqual(
      expect.arrayContaining([
        {
          eventId: 'traffic-apply',
          entityRef: 'component:default/reviews-copy',
          result: 'fail',
          error: 'ConflictError',
        },
        {
          eventId: 'traffic-remove',
          entityRef: 'component:default/reviews',
          result: 'fail',
          error: 'NotAllowedError',
        },
        {
          eventId: 'traffic-rollback',
          entityRef: 'component:default/reviews',
          result: 'fail',
          error: 'NotAllowedError',
        },
      ]),
    );
  });

  it('never deletes a VirtualService that routes other hosts too, through a successful and a failed adopt', async () => {
    await createRouting(sandbox, 'east', {
      kind: 'VirtualService',
      metadata: { name: 'shared-routes', namespace: 'bookinfo' },
      spec: {
        hosts: ['details', 'productpage'],
        http: [{ route: [{ destination: { host: 'details' } }] }],
      },
    });
    const shared = (await allRouting(sandbox, 'east'))[
      'VirtualService bookinfo/shared-routes'
    ];
    const { revision } = await state('details');
    const plan = await request(server)
      .post(`${path('details')}/plan`)
      .set('Authorization', ops)
      .send({ intent: split(['v1', 100]), adopt: true });
    const east = plan.body.clusters.find((c: any) => c.cluster === 'east');
    expect(plan.body.needsAdoption).toBe(true);
    expect(east.kept).toEqual([
      expect.objectContaining({
        name: 'shared-routes',
        adoption: 'keep',
        reason: expect.stringMatching(
          /also routes productpage.*remove details from its hosts/,
        ),
      }),
    ]);
    expect(east.changes.filter((c: any) => c.action === 'delete')).toEqual([]);

    const ok = await request(server)
      .post(`${path('details')}/apply`)
      .set('Authorization', ops)
      .send({ intent: split(['v1', 100]), revision, adopt: true });
    expect(ok.body.ok).toBe(true);
    expect(
      (await allRouting(sandbox, 'east'))[
        'VirtualService bookinfo/shared-routes'
      ],
    ).toBe(shared);

    sandbox.faults.cluster('west').failNext({
      verb: 'apply',
      resource: 'virtualservices',
      status: 500,
      count: 5,
    });
    const failed = await request(server)
      .post(`${path('details')}/apply`)
      .set('Authorization', ops)
      .send({
        intent: { ...split(['v1', 100]), timeout: '2s' },
        revision: (await state('details')).revision,
        adopt: true,
      });
    sandbox.faults.reset();
    expect(failed.body.clusters).toContainEqual({
      cluster: 'east',
      outcome: 'restored',
    });
    expect(failed.body.ok).toBe(false);
    expect(
      (await allRouting(sandbox, 'east'))[
        'VirtualService bookinfo/shared-routes'
      ],
    ).toBe(shared);
  });

  it('refuses, adopt or not, to write over a VirtualService that has our name but routes another host', async () => {
    await createRouting(sandbox, 'west', {
      kind: 'VirtualService',
      metadata: { name: 'ratings', namespace: 'bookinfo' },
      spec: {
        hosts: ['details'],
        http: [{ route: [{ destination: { host: 'details' } }] }],
      },
    });
    const before = await both();
    const seen = await state('ratings', ops);
    const plan = await request(server)
      .post(`${path('ratings')}/plan`)
      .set('Authorization', ops)
      .send({ intent: split(['v1', 100]), adopt: true });
    expect(plan.body.blocked).toMatch(
      /VirtualService bookinfo\/ratings has the name .* but routes details/,
    );
    for (const adopt of [false, true]) {
      const res = await request(server)
        .post(`${path('ratings')}/apply`)
        .set('Authorization', ops)
        .send({ intent: split(['v1', 100]), revision: seen.revision, adopt });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/cannot be written here/);
    }
    expect(await both()).toEqual(before);
  });

  it('reports a VirtualService for the host in another namespace as a conflict', async () => {
    await createRouting(sandbox, 'west', {
      kind: 'VirtualService',
      metadata: { name: 'reviews-from-frontend', namespace: 'frontend' },
      spec: {
        hosts: ['reviews.bookinfo.svc.cluster.local'],
        http: [
          {
            route: [
              { destination: { host: 'reviews.bookinfo.svc.cluster.local' } },
            ],
          },
        ],
      },
    });
    const west = (await state('reviews')).clusters.find(
      (c: any) => c.cluster === 'west',
    );
    expect(west.routing).toContainEqual(
      expect.objectContaining({
        namespace: 'frontend',
        name: 'reviews-from-frontend',
        status: 'foreign',
        adoption: 'keep',
        reason: expect.stringMatching(/another namespace/),
      }),
    );
  });

  it('lets a mesh admin adopt through another entity: the plan lists each rewrite and delete, and the objects change hands', async () => {
    await createRouting(sandbox, 'east', {
      kind: 'VirtualService',
      metadata: { name: 'reviews-by-hand', namespace: 'bookinfo' },
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
      },
    });
    const plan = await request(server)
      .post(`${path('reviews-copy')}/plan`)
      .set('Authorization', ops)
      .send({ intent: split(['v2', 100]), adopt: true });
    expect(plan.status).toBe(200);
    const east = plan.body.clusters.find((c: any) => c.cluster === 'east');
    expect(
      east.changes.map((c: any) => [c.action, c.kind, c.name, c.takesOverFrom]),
    ).toEqual([
      ['update', 'DestinationRule', 'reviews', 'component:default/reviews'],
      ['update', 'VirtualService', 'reviews', 'component:default/reviews'],
      ['delete', 'VirtualService', 'reviews-by-hand', 'hand-written'],
    ]);
    const res = await request(server)
      .post(`${path('reviews-copy')}/apply`)
      .set('Authorization', ops)
      .send({
        intent: split(['v2', 100]),
        revision: plan.body.revision,
        adopt: true,
      });
    expect(res.body.ok).toBe(true);
    const after = await allRouting(sandbox, 'east');
    expect(after['VirtualService bookinfo/reviews-by-hand']).toBeUndefined();
    expect(
      JSON.parse(after['VirtualService bookinfo/reviews']).metadata.annotations[
        'mesh.meshtraffic.io/entity-ref'
      ],
    ).toBe('component:default/reviews-copy');
    expect((await state('reviews')).heldBy).toBe(
      'component:default/reviews-copy',
    );
    // The host is now reviews-copy's: reviews' own owner is refused until an admin adopts it back.
    const refused = await request(server)
      .post(`${path('reviews')}/apply`)
      .set('Authorization', alice)
      .send({
        intent: split(['v1', 100]),
        revision: (await state('reviews')).revision,
      });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(
      /adopted for component:default\/reviews-copy by user:default\/ops/,
    );
  });
});

describe('namespace owners', () => {
  it('lets only the groups that own a namespace (and admins) change routing there', async () => {
    const sandbox = await startShippedSandbox('demo');
    try {
      const { server } = await startMeshBackend({
        sandbox,
        entities: [serviceEntity('reviews', 'demo', 'bookinfo', DATA_TEAM)],
        groups,
        meshExtra: {
          namespaces: [{ name: 'bookinfo', owners: [BOOKINFO_TEAM] }],
        },
      });
      const before = await allRouting(sandbox, 'east');
      const { revision } = (
        await request(server).get(path('reviews')).set('Authorization', mallory)
      ).body;
      const send = (who: string) =>
        request(server)
          .post(`${path('reviews')}/apply`)
          .set('Authorization', who)
          .send({ intent: split(['v1', 100]), revision });
      const refused = await send(mallory);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(
        /namespace bookinfo of mesh demo belongs to group:default\/bookinfo-team/,
      );
      expect(await allRouting(sandbox, 'east')).toEqual(before);
      expect((await send(ops)).body.ok).toBe(true);
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});
