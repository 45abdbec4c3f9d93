import { isDeepStrictEqual } from 'node:util';
import { untilRead } from '../__testUtils__/untilWatched';
import { ConflictError } from '@backstage/errors';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';
import {
  demoCalledFromEveryPrimary,
  describePrometheus,
  reviewsTarget,
  usePrometheusMesh,
} from '../__testUtils__/prometheusMesh';
import { ROLLOUT_ACTOR } from './RolloutConductor';

const reviews = reviewsTarget;
const before = { split: [{ version: 'v1', weight: 100 }] };
const after = {
  split: [
    { version: 'v1', weight: 80 },
    { version: 'v2', weight: 20 },
  ],
};
const BAKE_SECONDS = 8;
const checks = { successRateMin: 95, minRequests: 5 };
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describePrometheus('a change rolled out cluster by cluster', () => {
  const env = usePrometheusMesh(demoCalledFromEveryPrimary);
  const alice = 'user:default/alice';

  const reset = async () => {
    env.sandbox.traffic
      .get('demo')!
      .setBehaviour(
        { namespace: 'bookinfo', service: 'reviews', version: 'v2' },
        { errorRate: 0 },
      );
    const live = await env.services.state.read(reviews);
    const res = await env.services.applier.apply({
      target: reviews,
      actor: alice,
      intent: before,
      revision: live.revision,
    });
    expect(res).toMatchObject({ ok: true });
  };
  const start = async (withChecks = true) => {
    const live = await env.services.state.read(reviews);
    return env.services.conductor.start({
      target: reviews,
      actor: alice,
      intent: after,
      revision: live.revision,
      rollout: {
        waves: [['east'], ['west']],
        bakeSeconds: BAKE_SECONDS,
        ...(withChecks ? { checks } : {}),
      },
    });
  };
  const intents = async () =>
    Object.fromEntries(
      (await env.services.state.read(reviews)).clusters
        .filter(c => c.isConfigCluster)
        .map(c => [c.cluster, c.intent]),
    );

  it('reaches east, bakes with east passing its checks, then west', async () => {
    await reset();
    const started = await start();
    expect(started).toMatchObject({ ok: true, rolloutId: expect.any(Number) });
    expect(await intents()).toEqual({ east: after, west: before });
    const status = await env.services.status.get(reviews);
    expect(status.rollout).toMatchObject({
      status: 'baking',
      waves: [
        { clusters: ['east'], status: 'done' },
        { clusters: ['west'], status: 'pending' },
      ],
      nextCheckAt: expect.any(String),
    });
    // Anything else waits for the rollout.
    await expect(
      env.services.applier.apply({
        target: reviews,
        actor: alice,
        intent: before,
        revision: status.revision,
      }),
    ).rejects.toThrow(ConflictError);

    // Too early: nothing moves.
    await env.services.conductor.advanceDue();
    expect((await intents()).west).toEqual(before);

    await sleep((BAKE_SECONDS + 3) * 1000);
    await env.services.conductor.advanceDue();
    expect(await intents()).toEqual({ east: after, west: after });
    const done = (await env.services.status.get(reviews)).rollout!;
    expect(done).toMatchObject({
      status: 'completed',
      waves: [{ status: 'done' }, { status: 'done' }],
    });
    expect(done.evaluations[0]).toMatchObject({
      wave: 1,
      verdict: 'pass',
      checks: [expect.objectContaining({ version: 'v2', cluster: 'east' })],
    });
    // The second wave is the plugin's, on the user's behalf, with why.
    const [last] = await env.services.store.history(reviews.entityRef, 1);
    expect(last).toMatchObject({
      actor: ROLLOUT_ACTOR,
      onBehalfOf: alice,
      reason: expect.stringContaining('wave 2 of 2'),
    });
  }, 60_000);

  it('stops after the first wave when the new version fails on east, and puts east back', async () => {
    await reset();
    env.sandbox.traffic.get('demo')!.setBehaviour(
      {
        namespace: 'bookinfo',
        service: 'reviews',
        version: 'v2',
        cluster: 'east',
      },
      { errorRate: 0.5 },
    );
    expect(await start()).toMatchObject({ ok: true });
    await sleep((BAKE_SECONDS + 3) * 1000);
    await env.services.conductor.advanceDue();
    expect(await intents()).toEqual({ east: before, west: before });
    const ended = (await env.services.status.get(reviews)).rollout!;
    expect(ended).toMatchObject({
      status: 'rolled-back',
      waves: [{ status: 'rolled-back' }, { status: 'pending' }],
      reason: expect.stringMatching(/check failed after wave 1.*east put back/),
    });
    expect(ended.evaluations[0]).toMatchObject({ verdict: 'fail' });
    env.sandbox.traffic.get('demo')!.setBehaviour(
      {
        namespace: 'bookinfo',
        service: 'reviews',
        version: 'v2',
        cluster: 'east',
      },
      { errorRate: 0 },
    );
  }, 60_000);

  it('is carried on by a backend started after the first one stopped mid-bake', async () => {
    await reset();
    expect(await start(false)).toMatchObject({ ok: true });
    const restarted = await meshServicesFor(
      sandboxMeshConfig(env.sandbox, {
        meshExtra: { prometheus: { url: env.prometheus.url } },
      }),
      env.db,
    );
    await restarted.conductor.advanceDue(Date.now() + BAKE_SECONDS * 1000);
    // The first backend sees the restarted one's writes through its watch.
    const both = { east: after, west: after };
    const seen = await untilRead(intents, i => isDeepStrictEqual(i, both));
    expect(seen).toEqual(both);
    restarted.registry.close();
    expect((await restarted.status.get(reviews)).rollout?.status).toBe(
      'completed',
    );
  }, 60_000);

  it('is paused, resumed, and rolled back by a person', async () => {
    await reset();
    expect(await start(false)).toMatchObject({ ok: true });
    // The mesh status page shows it, not a disagreement.
    const meshStatus = await env.services.meshStatus.status('demo');
    expect(
      meshStatus.services.find(s => s.entityRef === reviews.entityRef),
    ).toMatchObject({
      summary: 'v1 80 / v2 20',
      rollout: { status: 'baking', wavesDone: 1, waves: 2 },
    });
    const paused = await env.services.conductor.act(reviews, 'pause', alice);
    expect(paused).toMatchObject({ status: 'paused' });
    await env.services.conductor.advanceDue(Date.now() + 1e6);
    expect((await intents()).west).toEqual(before);
    await env.services.conductor.act(reviews, 'resume', alice);
    const rolled = await env.services.conductor.act(reviews, 'rollback', alice);
    expect(rolled).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringContaining(`rolled back by ${alice}`),
    });
    expect(await intents()).toEqual({ east: before, west: before });
  }, 60_000);

  it('keeps rolling back a cluster it could not reach, and puts it back once it can', async () => {
    await reset();
    expect(await start(false)).toMatchObject({ ok: true });
    await env.sandbox.faults.down('east');
    try {
      const rolling = await env.services.conductor.act(
        reviews,
        'rollback',
        alice,
      );
      expect(rolling).toMatchObject({
        status: 'rolling-back',
        waves: [{ status: 'done', owed: ['east'] }, { status: 'pending' }],
        reason: expect.stringMatching(
          /rolled back by .*; east not yet .*tried again every 30 s/,
        ),
      });
      // Still down: still owed, tried again later.
      await env.services.conductor.advanceDue(Date.now() + 31_000);
      expect((await env.services.status.get(reviews)).rollout).toMatchObject({
        status: 'rolling-back',
        waves: [{ owed: ['east'] }, { status: 'pending' }],
      });
    } finally {
      await env.sandbox.faults.up('east');
    }
    const eastReadable = async () =>
      (await env.services.state.read(reviews)).clusters.find(
        c => c.cluster === 'east',
      )!.reachable;
    expect(await untilRead(eastReadable, Boolean, 30_000)).toBe(true);
    // East still holds the rollout's first wave, read from the cluster itself.
    expect((await intents()).east).toEqual(after);
    await env.services.conductor.advanceDue(Date.now() + 62_000);
    expect(await intents()).toEqual({ east: before, west: before });
    expect((await env.services.status.get(reviews)).rollout).toMatchObject({
      status: 'rolled-back',
      waves: [{ status: 'rolled-back' }, { status: 'pending' }],
      reason: expect.stringMatching(/; then: east put back$/),
    });
  }, 120_000);

  it('finishes every wave left at once when a person says so', async () => {
    await reset();
    expect(await start(false)).toMatchObject({ ok: true });
    const finished = await env.services.conductor.act(reviews, 'finish', alice);
    expect(finished).toMatchObject({
      status: 'completed',
      reason: `finished now by ${alice}`,
    });
    expect(await intents()).toEqual({ east: after, west: after });
  }, 60_000);

  it("runs an automatic canary's steps wave by wave: east reaches each step first", async () => {
    await reset();
    const analysis = {
      interval: '5s',
      successRateMin: 95,
      minRequests: 5,
      failureLimit: 2,
    };
    const canaryAt = (step: number, weight: number) => ({
      split: [
        { version: 'v1', weight: 100 - weight },
        { version: 'v2', weight },
      ],
      canary: {
        baseline: 'v1',
        candidate: 'v2',
        steps: [5, 50, 100],
        step,
        auto: true,
        analysis,
      },
    });
    const live = await env.services.state.read(reviews);
    const rollout = { waves: [['east'], ['west']], bakeSeconds: 5 };
    expect(
      await env.services.conductor.start({
        target: reviews,
        actor: alice,
        intent: canaryAt(1, 5),
        revision: live.revision,
        rollout,
      }),
    ).toMatchObject({ ok: true });
    expect(await intents()).toEqual({ east: canaryAt(1, 5), west: before });
    // No canary is judged while its step is rolling out.
    expect(await env.services.store.canaries.runFor(reviews.entityRef)).toBe(
      undefined,
    );
    await env.services.conductor.advanceDue(Date.now() + 5_000);
    expect(await intents()).toEqual({
      east: canaryAt(1, 5),
      west: canaryAt(1, 5),
    });
    expect(
      await env.services.store.canaries.runFor(reviews.entityRef),
    ).toMatchObject({ step: 1, startedBy: alice, rollout });

    // The analysis judges step 1 and advances it: east first.
    await sleep(7_000);
    await env.services.analyst.evaluateDue(Date.now() + 5_000);
    expect(await intents()).toEqual({
      east: canaryAt(2, 50),
      west: canaryAt(1, 5),
    });
    expect((await env.services.status.get(reviews)).rollout).toMatchObject({
      status: 'baking',
      startedBy: alice,
    });
    await env.services.conductor.act(reviews, 'finish', alice);
    expect(await intents()).toEqual({
      east: canaryAt(2, 50),
      west: canaryAt(2, 50),
    });
  }, 60_000);
});
