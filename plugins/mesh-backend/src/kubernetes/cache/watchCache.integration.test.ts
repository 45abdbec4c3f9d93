import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { execFile } from 'node:child_process';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../../__testUtils__/meshBackend';
import { meshServicesFor } from '../../__testUtils__/meshServices';
import { reviewsTarget } from '../../__testUtils__/prometheusMesh';
import { sandboxMeshConfig } from '../../testUtils';

const path = '/api/mesh/entities/component/default/reviews';
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const auth = () => mockCredentials.user.header();

/** A VirtualService for reviews' host in another namespace, as a team's kubectl would write it. */
const foreign = (name: string, timeout = '5s') =>
  JSON.stringify({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'default' },
    spec: {
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [
        {
          timeout,
          route: [
            { destination: { host: 'reviews.bookinfo.svc.cluster.local' } },
          ],
        },
      ],
    },
  });

describe('the watch caches a replica reads through', () => {
  let sandbox: Sandbox;
  let server: any;
  const kubectl = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', sandbox.kubeconfigPath, '--context', 'east', ...args],
        (err, out) => (err ? reject(err) : resolve(out)),
      );
      child.stdin!.end(input ?? '');
    });
  const state = async () =>
    (await request(server).get(path).set('Authorization', auth())).body;
  const eastObjects = async () =>
    (await state()).clusters
      .find((c: any) => c.cluster === 'east')
      .routing.map((o: any) => `${o.kind} ${o.namespace}/${o.name}`);
  /** Reads until a check holds (at most `ms`), answering how long it took. */
  const within = async (ms: number, check: () => Promise<boolean>) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise(r => setTimeout(r, 20));
    }
    return Date.now() - started;
  };
  const counts = (cluster: string) =>
    sandbox.faults.cluster(cluster).requestCounts();

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      requestTimeout: 1000,
    }));
    await state();
  }, 30_000);
  afterAll(() => sandbox?.stop());
  beforeEach(() => sandbox.faults.reset());

  it('shows an object kubectl creates, changes and deletes in another namespace in the next read, within a second', async () => {
    await kubectl(['apply', '-f', '-'], foreign('by-kubectl'));
    await within(1000, async () =>
      (await eastObjects()).includes('VirtualService default/by-kubectl'),
    );
    const created = (await state()).revision;
    await kubectl([
      '-n',
      'default',
      'patch',
      'virtualservice',
      'by-kubectl',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ metadata: { labels: { edited: 'yes' } } }),
    ]);
    await within(1000, async () => (await state()).revision !== created);
    await kubectl(['-n', 'default', 'delete', 'virtualservice', 'by-kubectl']);
    await within(
      1000,
      async () =>
        !(await eastObjects()).includes('VirtualService default/by-kubectl'),
    );
  });

  it('refuses an apply planned before someone routed the host from another namespace, writing nothing', async () => {
    const intent = { split: [{ version: 'v1', weight: 100 }] };
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent });
    const revision = (await state()).revision;
    await kubectl(['apply', '-f', '-'], foreign('meanwhile'));
    await within(1000, async () => (await state()).revision !== revision);
    const writes = sandbox.servers.get('east')!.writes.list().length;
    const applied = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: plan.body.revision ?? revision });
    expect(applied.status).toBe(409);
    expect(applied.body.error.message).toMatch(/changed since you loaded it/);
    expect(sandbox.servers.get('east')!.writes.list()).toHaveLength(writes);
    await kubectl(['-n', 'default', 'delete', 'virtualservice', 'meanwhile']);
  });

  it('resumes a cut watch from where it was: what changed meanwhile arrives once, with no new list', async () => {
    // The first attempt to watch again fails, so the change lands while no stream is open.
    sandbox.faults
      .cluster('east')
      .failNext({ verb: 'watch', resource: 'virtualservices', count: 1 });
    expect(sandbox.faults.cutWatches('east')).toBeGreaterThan(0);
    await kubectl(['apply', '-f', '-'], foreign('while-cut'));
    await within(5000, async () =>
      (await eastObjects()).includes('VirtualService default/while-cut'),
    );
    const objects = await eastObjects();
    expect(
      objects.filter((o: string) => o === 'VirtualService default/while-cut'),
    ).toHaveLength(1);
    expect(counts('east')['list virtualservices']).toBeUndefined();
    await kubectl(['-n', 'default', 'delete', 'virtualservice', 'while-cut']);
  });

  it('lists again after 410 Gone: the history it would resume from is compacted away', async () => {
    sandbox.faults
      .cluster('east')
      .failNext({ verb: 'watch', resource: 'virtualservices', count: 1 });
    sandbox.faults.cutWatches('east');
    await kubectl(['apply', '-f', '-'], foreign('after-compaction'));
    sandbox.faults.compact('east');
    await within(5000, async () =>
      (await eastObjects()).includes('VirtualService default/after-compaction'),
    );
    expect(
      (await eastObjects()).filter(
        (o: string) => o === 'VirtualService default/after-compaction',
      ),
    ).toHaveLength(1);
    expect(counts('east')['list virtualservices']).toBe(1);
    await kubectl([
      '-n',
      'default',
      'delete',
      'virtualservice',
      'after-compaction',
    ]);
  });

  it('says a cluster whose watch is down may be stale: the plan says so, and apply is refused with nothing written', async () => {
    const revision = (await state()).revision;
    const west = sandbox.faults.cluster('west');
    west.failNext({ verb: 'watch', fraction: 1 });
    west.failNext({ verb: 'list', fraction: 1 });
    sandbox.faults.cutWatches('west');
    await within(3000, async () => {
      const w = (await state()).clusters.find((c: any) => c.cluster === 'west');
      return !w.reachable;
    });
    const westState = (await state()).clusters.find(
      (c: any) => c.cluster === 'west',
    );
    expect(westState.error).toMatch(/watch has been broken since .*stale/);
    const intent = { split: [{ version: 'v1', weight: 100 }] };
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent });
    const westPlan = plan.body.clusters.find((c: any) => c.cluster === 'west');
    expect(westPlan.dryRun.message).toMatch(/unreachable: .*broken since/);
    const writesBefore = sandbox.servers.get('east')!.writes.list().length;
    const applied = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: plan.body.revision ?? revision });
    expect(applied.body.ok).toBe(false);
    expect(sandbox.servers.get('east')!.writes.list()).toHaveLength(
      writesBefore,
    );
    expect(sandbox.servers.get('west')!.writes.list()).toHaveLength(0);
    west.clear();
    await within(5000, async () =>
      (await state()).clusters.every((c: any) => c.reachable),
    );
  });

  it('shows our own write in the very next read, before the watch has delivered it', async () => {
    for (const c of ['east', 'west'])
      sandbox.faults.cluster(c).watchEventDelayMs = 3000;
    const intent = {
      split: [
        { version: 'v1', weight: 60 },
        { version: 'v3', weight: 40 },
      ],
    };
    const applied = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: (await state()).revision });
    expect(applied.body.ok).toBe(true);
    const next = await state();
    expect(next.intent.split).toEqual(intent.split);
    expect(next.revision).toBe(applied.body.revision);
  });

  it('makes no list or watch for a state read, the status page, the metrics route, an access plan or the callers’ service accounts once synced', async () => {
    const accounts = () =>
      request(server)
        .get(
          '/api/mesh/meshes/demo/service-accounts?workload=bookinfo/productpage',
        )
        .set('Authorization', auth());
    await state();
    await request(server)
      .get('/api/mesh/meshes/demo/status')
      .set('Authorization', auth());
    await accounts();
    sandbox.faults.reset();
    expect((await accounts()).body.workloads[0].serviceAccounts).toEqual([
      'bookinfo/productpage',
    ]);
    // A plan's dry run is a write the server judges, never a list: access adds no read of a cluster.
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({
        intent: {
          split: [{ version: 'v1', weight: 100 }],
          access: { rules: [{ from: [{ namespace: 'bookinfo' }] }] },
        },
      });
    expect(plan.body.access.unavailable).toMatch(/names no Prometheus/);
    await state();
    const status = await request(server)
      .get('/api/mesh/meshes/demo/status')
      .set('Authorization', auth());
    expect(status.status).toBe(200);
    await request(server).get(`${path}/metrics`).set('Authorization', auth());
    for (const c of ['east', 'west', 'edge']) {
      const verbs = Object.keys(counts(c));
      expect(verbs.filter(v => /^(list|watch) /.test(v))).toEqual([]);
    }
  });

  it('makes no list or watch for the scheduled canary analysis, rollouts and expiries once synced', async () => {
    const db = await databases.init('SQLITE_3');
    // Another replica's services, on a Prometheus that does not answer: the analysis still reads
    // what the clusters say of the candidate, from the caches.
    const services = await meshServicesFor(
      sandboxMeshConfig(sandbox, {
        meshExtra: { prometheus: { url: 'http://127.0.0.1:9' } },
      }),
      db,
    );
    const applied = await services.applier.apply({
      target: reviewsTarget,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 75 },
          { version: 'v2', weight: 25 },
        ],
        fault: { abort: { httpStatus: 503, percent: 1 } },
        canary: {
          baseline: 'v1',
          candidate: 'v2',
          steps: [25, 100],
          step: 1,
          auto: true,
          analysis: {
            interval: '10s',
            successRateMin: 99,
            minRequests: 20,
            failureLimit: 2,
          },
        },
      },
      expires: { fault: { for: '10s' } },
      revision: (await services.state.read(reviewsTarget)).revision,
    });
    expect(applied).toMatchObject({ ok: true });
    sandbox.faults.reset();
    const later = Date.now() + 60_000;
    expect(await services.analyst.evaluateDue(later)).toBe(1);
    await services.conductor.advanceDue(later);
    expect(await services.expiries.expireDue(later)).toBe(1);
    for (const c of ['east', 'west', 'edge']) {
      const verbs = Object.keys(counts(c));
      expect(verbs.filter(v => /^(list|watch) /.test(v))).toEqual([]);
    }
    // What they wrote was through the same door: the fault is gone, the canary still judged.
    expect((await services.state.read(reviewsTarget)).intent?.fault).toBe(
      undefined,
    );
    const { evaluations } = await services.analyst.stateFor(
      reviewsTarget.entityRef,
    );
    expect(evaluations).toHaveLength(1);
    // Leaves reviews as the next tests expect it.
    const removed = await services.applier.remove({
      target: reviewsTarget,
      actor: 'user:default/alice',
      revision: (await services.state.read(reviewsTarget)).revision,
    });
    expect(removed).toMatchObject({ ok: true });
  });
});
