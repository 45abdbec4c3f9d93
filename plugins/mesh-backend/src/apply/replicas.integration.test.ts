import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ENTITY_REF_ANNOTATION } from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { ChildJob } from '../__testUtils__/applyInChildProcess';
import {
  ADMIN_GROUP,
  SERVICE_TEAM,
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from '../__testUtils__/meshBackend';

import { markWriteLogs } from '../__testUtils__/writeLog';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';

/** Backend replicas share PostgreSQL in production; so do these tests. */
const databases = TestDatabases.create({
  ids: ['POSTGRES_15'],
  disableDocker: true,
});
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const CHILD = path.resolve(
  __dirname,
  '../__testUtils__/applyInChildProcess.ts',
);
const reviews = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};

/** A replica in a process of its own, applying one intent; resolves when it says it has started. */
function startChildReplica(job: ChildJob): {
  child: ChildProcess;
  applying: Promise<void>;
  output: () => string;
} {
  let output = '';
  const child = spawn(
    process.execPath,
    [
      '-e',
      "require('@backstage/cli/config/nodeTransform.cjs'); require(process.argv[1])",
      CHILD,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MESH_CHILD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const applying = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', chunk => {
      output += chunk;
      if (output.includes('applying')) resolve();
    });
    child.stderr!.on('data', chunk => (output += chunk));
    child.on('exit', code =>
      reject(
        new Error(
          `the child replica exited (${code}) before applying: ${output}`,
        ),
      ),
    );
  });
  return { child, applying, output: () => output };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('backend replicas on PostgreSQL', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterEach(() => sandbox?.stop());

  it("(e) a replica killed between the clusters' writes leaves a pending row that a fresh replica resolves to interrupted, reports, and can finish", async () => {
    const knex = await databases.init('POSTGRES_15');
    const meshConfig = {
      ...sandboxMeshConfig(sandbox, { requestTimeout: 15_000 }),
      changeLockTtlSeconds: 1,
    };
    const survivor = await meshServicesFor(meshConfig, knex);
    const before = { split: [{ version: 'v1', weight: 100 }] };
    const first = await survivor.status.get(reviews);
    expect(
      await survivor.applier.apply({
        target: reviews,
        actor: 'user:default/alice',
        intent: before,
        revision: first.revision,
      }),
    ).toMatchObject({ ok: true });

    const intended = {
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 50 },
      ],
    };
    const { revision } = await survivor.status.get(reviews);
    const marks = await markWriteLogs(sandbox, ['east', 'west']);
    // West is slow: the child writes east at once and then waits on west, where it is killed.
    sandbox.faults.setLatency('west', 4000);
    const { child, applying, output } = startChildReplica({
      meshConfig,
      databaseConnection: knex.client.config.connection,
      target: reviews,
      intent: intended,
      revision,
    });
    await applying;
    const eastWrites = () =>
      sandbox.servers.get('east')!.writes.list(marks.get('east')!.since);
    await until(
      () => eastWrites().some(w => w.kind === 'VirtualService'),
      'the child to write east',
    );
    child.kill('SIGKILL');
    await new Promise(r => child.once('exit', r));
    sandbox.faults.reset();
    expect(output()).not.toMatch(/"ok"/);
    expect(
      sandbox.servers.get('west')!.writes.list(marks.get('west')!.since),
    ).toEqual([]);

    const [pending] = await survivor.store.pending();
    expect(pending).toMatchObject({
      state: 'pending',
      actor: 'user:default/child',
      intentAfter: intended,
      before: { east: expect.any(Array), west: expect.any(Array) },
    });
    // The dead replica's lock lives one second; then the state read resolves the row.
    await new Promise(r => setTimeout(r, 1200));
    const reported = await survivor.status.get(reviews);
    expect(
      await survivor.store.entry(reviews.entityRef, pending.id),
    ).toMatchObject({
      state: 'interrupted',
      clusters: [
        expect.objectContaining({ cluster: 'east', holds: 'intended' }),
        expect.objectContaining({ cluster: 'west', holds: 'before' }),
      ],
    });
    expect(reported.unfinished).toMatchObject({
      historyId: pending.id,
      state: 'interrupted',
      intentBefore: before,
      intentAfter: intended,
      clusters: [
        { cluster: 'east', holds: 'intended' },
        { cluster: 'west', holds: 'before' },
      ],
    });
    expect(reported.intent).toBeUndefined();
    expect(reported.clustersDisagree).toBe(true);
    expect(
      reported.clusters.filter(c => c.isConfigCluster).map(c => c.intent),
    ).toEqual([intended, before]);
    // The tabs start from the last intent applied everywhere, not from a default.
    expect(reported.lastApplied).toMatchObject({ intent: before });

    // Finish: the intended change, through the normal apply path.
    const finished = await survivor.applier.apply({
      target: reviews,
      actor: 'user:default/alice',
      intent: reported.unfinished!.intentAfter,
      revision: reported.revision,
    });
    expect(finished).toMatchObject({
      ok: true,
      clusters: [
        { cluster: 'east', outcome: 'unchanged' },
        { cluster: 'west', outcome: 'applied' },
      ],
    });
    const after = await survivor.status.get(reviews);
    expect(after.unfinished).toBeUndefined();
    expect(after.intent).toEqual(intended);
  }, 60_000);

  it('(f) two replicas changing the same host at once, its owner and a mesh admin adopting it through another entity, never interleave', async () => {
    const knex = await databases.init('POSTGRES_15');
    // Another entity naming the same host: the admin takes the routing over through it.
    const entities = [
      serviceEntity('reviews', 'demo', 'bookinfo'),
      serviceEntity(
        'reviews-takeover',
        'demo',
        'bookinfo',
        ADMIN_GROUP,
        'reviews',
      ),
    ];
    const shared = {
      sandbox,
      entities,
      groups: {
        'user:default/ops': [ADMIN_GROUP],
        'user:default/alice': [SERVICE_TEAM],
      },
      features: [mockServices.database.factory({ knex })],
    };
    const { server: replicaA } = await startMeshBackend(shared);
    const { server: replicaB } = await startMeshBackend(shared);
    const owner = userHeader('user:default/alice');
    const admin = userHeader('user:default/ops');
    const ownerPath = '/api/mesh/entities/component/default/reviews';
    const adminPath = '/api/mesh/entities/component/default/reviews-takeover';
    const revisionOf = async (server: any, p: string, who: string) =>
      (await request(server).get(p).set('Authorization', who)).body.revision;

    // Two entities claim the host: the admin adopts it for reviews before its owner writes.
    const initial = await request(replicaA)
      .post(`${ownerPath}/apply`)
      .set('Authorization', admin)
      .send({
        intent: { split: [{ version: 'v1', weight: 100 }] },
        revision: await revisionOf(replicaA, ownerPath, owner),
        adopt: true,
      });
    expect(initial.body.ok).toBe(true);

    const outcomes: number[] = [];
    for (let round = 0; round < 3; round++) {
      const marks = await markWriteLogs(sandbox, ['east', 'west']);
      const [ownerRevision, adminRevision] = await Promise.all([
        revisionOf(replicaA, ownerPath, owner),
        revisionOf(replicaB, adminPath, admin),
      ]);
      // Slow writes, so the two changes overlap in time.
      sandbox.faults.setLatency('east', 150);
      sandbox.faults.setLatency('west', 150);
      const [a, b] = await Promise.all([
        request(replicaA)
          .post(`${ownerPath}/apply`)
          .set('Authorization', owner)
          .send({
            intent: {
              split: [
                { version: 'v1', weight: 50 + round },
                { version: 'v2', weight: 50 - round },
              ],
            },
            revision: ownerRevision,
          }),
        request(replicaB)
          .post(`${adminPath}/apply`)
          .set('Authorization', admin)
          .send({
            intent: { split: [{ version: 'v3', weight: 100 }] },
            revision: adminRevision,
            adopt: true,
          }),
      ]);
      sandbox.faults.reset();
      outcomes.push(a.status, b.status);
      // One change wins; the other is refused whole (busy, or stale once the winner is done).
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect([a, b].find(r => r.status === 200)!.body.ok).toBe(true);
      for (const cluster of ['east', 'west']) {
        const writers = sandbox.servers
          .get(cluster)!
          .writes.list(marks.get(cluster)!.since)
          .map(w => w.annotations?.[ENTITY_REF_ANNOTATION] ?? 'someone else');
        const blocks = writers.filter(
          (w, i) => i === 0 || w !== writers[i - 1],
        );
        expect(new Set(blocks).size).toBe(blocks.length);
      }
      // Give the host back to its owner for the next round (the admin may adopt it back).
      const holder = (
        await request(replicaA).get(ownerPath).set('Authorization', owner)
      ).body;
      const back = await request(replicaA)
        .post(`${ownerPath}/apply`)
        .set('Authorization', admin)
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          revision: holder.revision,
          adopt: true,
        });
      expect(back.body.ok).toBe(true);
    }
    expect(outcomes.filter(s => s === 200)).toHaveLength(3);
  }, 60_000);
});
