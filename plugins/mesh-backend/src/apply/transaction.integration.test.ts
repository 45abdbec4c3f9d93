import { mockCredentials } from '@backstage/backend-test-utils';
import {
  withCanary,
  withSplit,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  ADMIN_GROUP,
  serviceEntity,
  startMeshBackend,
  failChangeAndItsUndo,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';
import {
  danglingMoments,
  markWriteLogs,
  routingNow,
} from '../__testUtils__/writeLog';

const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();
const CONFIG_CLUSTERS = ['east', 'west'];

/** What a cluster's routing decides (spec and our annotations, no server fields), for "as before" comparisons. */
async function decided(sandbox: Sandbox, cluster: string) {
  return (await routingNow(sandbox, cluster))
    .map(o => ({
      key: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      labels: o.metadata.labels ?? {},
      spec: o.spec,
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

const everywhere = async (sandbox: Sandbox) =>
  Object.fromEntries(
    await Promise.all(
      CONFIG_CLUSTERS.map(async c => [c, await decided(sandbox, c)]),
    ),
  );

describe('a change is one transaction across the config clusters', () => {
  let sandbox: Sandbox;
  let server: any;
  const state = async () =>
    (await request(server).get(path).set('Authorization', auth())).body;
  const apply = async (intent: unknown) => {
    const revision = (await state()).revision;
    return request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision });
  };

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      requestTimeout: 500,
      groups: { 'user:default/mock': [ADMIN_GROUP] },
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());
  afterEach(() => sandbox.faults.reset());

  it('(a) never lets a VirtualService route to a subset missing from its DestinationRule, through canary start, promote, abort and a split that drops a version', async () => {
    const marks = await markWriteLogs(sandbox, CONFIG_CLUSTERS);
    let intent: TrafficIntent = { split: [{ version: 'v1', weight: 100 }] };
    const steps: Array<(i: TrafficIntent) => TrafficIntent> = [
      i =>
        withCanary(i, {
          action: 'start',
          baseline: 'v1',
          candidate: 'v2',
          steps: [10, 50],
        }),
      i => withCanary(i, { action: 'advance' }),
      i => withCanary(i, { action: 'promote' }),
      i =>
        withCanary(i, {
          action: 'start',
          baseline: 'v2',
          candidate: 'v3',
          steps: [20],
        }),
      i => withCanary(i, { action: 'abort' }),
      i =>
        withSplit(i, [
          { version: 'v1', weight: 50 },
          { version: 'v3', weight: 50 },
        ]),
      i => withSplit(i, [{ version: 'v3', weight: 100 }]),
    ];
    expect((await apply(intent)).body.ok).toBe(true);
    for (const step of steps) {
      intent = step(intent);
      const res = await apply(intent);
      expect(res.body).toMatchObject({ ok: true });
    }
    const { found, writes } = danglingMoments(sandbox, marks);
    expect(writes).toBeGreaterThan(2 * steps.length);
    expect(found).toEqual([]);
    expect((await state()).intent).toEqual(intent);
  });

  it('(b) leaves every cluster as before when a write answers after the request timeout, read back after the late writes had time to land', async () => {
    expect(
      (await apply({ split: [{ version: 'v1', weight: 100 }] })).body.ok,
    ).toBe(true);
    const before = await everywhere(sandbox);
    const marks = await markWriteLogs(sandbox, CONFIG_CLUSTERS);
    // West lands every write but answers after the 500 ms timeout; east is prompt.
    sandbox.faults.cluster('west').setAnswerDelay(800);
    const res = await apply({ split: [{ version: 'v2', weight: 100 }] });
    expect(res.body.ok).toBe(false);
    expect(res.body.clusters).toEqual([
      { cluster: 'east', outcome: 'restored' },
      expect.objectContaining({
        cluster: 'west',
        outcome: 'failed',
        message: expect.stringMatching(/timed out.*; put back what it held/),
      }),
    ]);
    sandbox.faults.reset();
    await new Promise(r => setTimeout(r, 1000));
    expect(await everywhere(sandbox)).toEqual(before);
    expect(danglingMoments(sandbox, marks).found).toEqual([]);
    const history = (
      await request(server).get(`${path}/history`).set('Authorization', auth())
    ).body.items;
    expect(history[0]).toMatchObject({ state: 'failed', ok: false });
  });

  it('(b) also when the request is cancelled before the server handled it', async () => {
    const before = await everywhere(sandbox);
    const { revision } = await state();
    // The read is made (and kept) before west slows down: apply itself only writes.
    sandbox.faults.setLatency('west', 800);
    const res = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent: { split: [{ version: 'v2', weight: 100 }] }, revision });
    expect(res.body).toMatchObject({
      ok: false,
      clusters: [
        { cluster: 'east', outcome: 'restored' },
        { cluster: 'west', outcome: 'failed' },
      ],
    });
    sandbox.faults.reset();
    await new Promise(r => setTimeout(r, 1000));
    expect(await everywhere(sandbox)).toEqual(before);
  });

  it('(c) answers 409 when someone else changed an object between plan and apply, and leaves their change intact', async () => {
    const { revision } = await state();
    const intent = {
      split: [
        { version: 'v1', weight: 30 },
        { version: 'v2', weight: 70 },
      ],
    };
    expect(
      (
        await request(server)
          .post(`${path}/plan`)
          .set('Authorization', auth())
          .send({ intent })
      ).status,
    ).toBe(200);
    // kubectl, as an operator would, between the plan and the apply.
    const http = [
      {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
        ],
        timeout: '7s',
      },
    ];
    await promisify(execFile)('kubectl', [
      '--kubeconfig',
      sandbox.kubeconfigPath,
      '--context',
      'west',
      '-n',
      'bookinfo',
      'patch',
      'virtualservice',
      'reviews',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { http } }),
    ]);
    const eastBefore = await decided(sandbox, 'east');
    const westEdited = await decided(sandbox, 'west');
    const res = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision });
    expect(res.status).toBe(409);
    // Caught by the re-read when the watch has delivered the edit, else by west's precondition.
    expect(res.body.error.message).toMatch(
      /changed since you loaded it|changed on a cluster since you planned .*west/,
    );
    expect(await decided(sandbox, 'east')).toEqual(eastBefore);
    expect(await decided(sandbox, 'west')).toEqual(westEdited);
    expect(
      (
        (await decided(sandbox, 'west')).find(o =>
          o.key.startsWith('VirtualService'),
        )!.spec as any
      ).http[0].timeout,
    ).toBe('7s');
  });

  it('(d) records restore-failed when the undo fails too, releases the lock, reports it, and undoes it through the normal path', async () => {
    // Start from nothing of ours: the change creates, so its undo deletes.
    const current = await state();
    expect(
      (
        await request(server)
          .delete(`${path}/intent`)
          .query({ revision: current.revision })
          .set('Authorization', auth())
      ).body,
    ).toMatchObject({ ok: true });
    failChangeAndItsUndo(sandbox);
    const intended = { split: [{ version: 'v2', weight: 100 }] };
    const res = await apply(intended);
    expect(res.body.ok).toBe(false);
    expect(
      res.body.clusters.find((c: any) => c.cluster === 'east'),
    ).toMatchObject({ outcome: 'restore-failed' });
    sandbox.faults.reset();

    const reported = await state();
    expect(reported.unfinished).toMatchObject({
      state: 'restore-failed',
      intentAfter: intended,
      clusters: [
        { cluster: 'east', holds: 'intended' },
        { cluster: 'west', holds: 'before' },
      ],
    });
    expect(reported.clustersDisagree).toBe(true);
    expect(
      reported.clusters.find((c: any) => c.cluster === 'east').intent,
    ).toEqual(intended);

    // The lock was released: the undo (removing what east kept) goes through at once.
    const undo = await request(server)
      .delete(`${path}/intent`)
      .query({ revision: reported.revision })
      .set('Authorization', auth());
    expect(undo.status).toBe(200);
    expect(undo.body.ok).toBe(true);
    expect(
      (await decided(sandbox, 'east')).filter(o => o.key.endsWith('/reviews')),
    ).toEqual([]);
    expect((await state()).unfinished).toBeUndefined();
  });
});
