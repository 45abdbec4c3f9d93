import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { clusterApis } from '../__testUtils__/clusterObjects';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from '../__testUtils__/meshBackend';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';
import { reviewsTarget } from '../__testUtils__/prometheusMesh';
import { EXPIRY_ACTOR } from './ExpiryKeeper';
import { hostKey } from '../database/hostKey';

const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});
const ALICE = 'user:default/alice';
const reviews = reviewsTarget;
const path = '/api/mesh/entities/component/default/reviews';
const withFault = {
  split: [{ version: 'v1', weight: 100 }],
  fault: { abort: { httpStatus: 503, percent: 50 } },
};

/** The fault on the reviews VirtualService of a cluster, read as kubectl would. */
async function liveFault(sandbox: Sandbox, cluster: string) {
  const vs: any = await clusterApis(
    sandbox,
    cluster,
  ).custom.getNamespacedCustomObject({
    group: 'networking.istio.io',
    version: 'v1',
    namespace: 'bookinfo',
    plural: 'virtualservices',
    name: 'reviews',
  });
  return vs.spec.http.at(-1).fault;
}

describe('risky parts that end by themselves', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it.each(databases.eachSupportedId())(
    'ends a fault when its time is up, on both primaries, on behalf of who set it (%p)',
    async databaseId => {
      const services = await meshServicesFor(
        sandboxMeshConfig(sandbox),
        await databases.init(databaseId),
      );
      const live = await services.state.read(reviews);
      const applied = await services.applier.apply({
        target: reviews,
        actor: ALICE,
        intent: withFault,
        expires: { fault: { for: '30m' } },
        revision: live.revision,
      });
      expect(applied).toMatchObject({ ok: true });
      const state = await services.status.get(reviews);
      expect(state.expiries).toEqual([
        { part: 'fault', expiresAt: expect.any(String), setBy: ALICE },
      ]);
      const end = Date.parse(state.expiries![0].expiresAt);
      // A later change that keeps the fault keeps its end.
      const kept = await services.applier.apply({
        target: reviews,
        actor: ALICE,
        intent: { ...withFault, timeout: '2s' },
        revision: state.revision,
      });
      expect(kept).toMatchObject({ ok: true });
      expect((await services.status.get(reviews)).expiries).toEqual(
        state.expiries,
      );

      expect(await services.expiries.expireDue(end - 1000)).toBe(0);
      expect(await liveFault(sandbox, 'east')).toBeDefined();
      expect(await services.expiries.expireDue(end)).toBe(1);
      for (const cluster of ['east', 'west'])
        expect(await liveFault(sandbox, cluster)).toBeUndefined();
      const after = await services.status.get(reviews);
      expect(after.intent).toEqual({
        split: withFault.split,
        timeout: '2s',
      });
      expect(after.expiries).toBeUndefined();
      const [last] = await services.store.history(reviews.entityRef, 1);
      expect(last).toMatchObject({
        actor: EXPIRY_ACTOR,
        onBehalfOf: ALICE,
        ok: true,
        reason: expect.stringMatching(
          /^fault ended at .*, as user:default\/alice set it to/,
        ),
      });
    },
    60_000,
  );

  it('ends a fault on the primary it can reach while the other is down, and on that one once it is back', async () => {
    const services = await meshServicesFor(
      sandboxMeshConfig(sandbox, { requestTimeout: 1000 }),
      await databases.init('SQLITE_3'),
    );
    const applied = await services.applier.apply({
      target: reviews,
      actor: ALICE,
      intent: withFault,
      expires: { fault: { for: '30m' } },
      revision: (await services.state.read(reviews)).revision,
    });
    expect(applied).toMatchObject({ ok: true });
    const end = Date.parse(
      (await services.status.get(reviews)).expiries![0].expiresAt,
    );
    await sandbox.faults.down('east');
    try {
      await services.expiries.expireDue(end);
      expect(await liveFault(sandbox, 'west')).toBeUndefined();
      // East may still hold it: the end is kept, to be tried again.
      expect(await services.store.expiries.forHost(hostKey(reviews))).toEqual([
        expect.objectContaining({ part: 'fault' }),
      ]);
    } finally {
      await sandbox.faults.up('east');
    }
    const deadline = Date.now() + 30_000;
    while (
      !(await services.state.read(reviews)).clusters.find(
        c => c.cluster === 'east',
      )!.reachable &&
      Date.now() < deadline
    )
      await new Promise(r => setTimeout(r, 100));
    expect(await liveFault(sandbox, 'east')).toBeDefined();
    await services.expiries.expireDue(end);
    for (const cluster of ['east', 'west'])
      expect(await liveFault(sandbox, cluster)).toBeUndefined();
    await services.expiries.expireDue(end);
    expect(await services.store.expiries.forHost(hostKey(reviews))).toEqual([]);
  }, 90_000);

  it("holds every risky part to the mesh's maximum: a longer end is a 400 naming the field, none gets the maximum, and the scheduler ends it", async () => {
    const { server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups: { [ALICE]: ['group:default/bookinfo-team'] },
      meshExtra: { maxRiskyChangeDuration: '1m' },
      rootExtra: { canaryCheckSeconds: 1 },
      features: [schedulerServiceFactory],
    });
    const get = async () =>
      (await request(server).get(path).set('Authorization', userHeader(ALICE)))
        .body;
    const apply = async (body: object) =>
      request(server)
        .post(`${path}/apply`)
        .set('Authorization', userHeader(ALICE))
        .send({ revision: (await get()).revision, ...body });
    const tooLong = await apply({
      intent: withFault,
      expires: { fault: { for: '2h' } },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.issues).toEqual([
      expect.objectContaining({ path: 'expires.fault.for' }),
    ]);
    const before = Date.now();
    expect((await apply({ intent: withFault })).body.ok).toBe(true);
    const [expiry] = (await get()).expiries;
    expect(Date.parse(expiry.expiresAt) - before).toBeGreaterThanOrEqual(
      59_000,
    );
    // A short end, ended by the scheduler on its own.
    expect(
      (await apply({ intent: withFault, expires: { fault: { for: '10s' } } }))
        .body.ok,
    ).toBe(true);
    const deadline = Date.now() + 40_000;
    while ((await get()).intent?.fault && Date.now() < deadline)
      await new Promise(r => setTimeout(r, 1000));
    for (const cluster of ['east', 'west'])
      expect(await liveFault(sandbox, cluster)).toBeUndefined();
  }, 90_000);
});
