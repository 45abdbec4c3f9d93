import {
  CanaryAnalysisState,
  HistoryEntry,
  TrafficIntent,
  withCanary,
} from '@meshtraffic/backstage-plugin-mesh-common';
import {
  loadTopology,
  RunningPrometheus,
  Sandbox,
  startPrometheus,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import request from 'supertest';
import { liveDefaultRoute } from '../__testUtils__/clusterObjects';
import { expectDocumented } from '../__testUtils__/documented';
import {
  serviceEntity,
  startMeshBackend,
  userHeader,
} from '../__testUtils__/meshBackend';
import { ANALYSIS_ACTOR } from '../apply/followCanary';

const ALICE = 'user:default/alice';
const base = '/api/mesh/entities/component/default/reviews';
const analysis = {
  interval: '5s',
  successRateMin: 99,
  latency: { percentile: 99, maxMs: 2000 },
  minRequests: 20,
  failureLimit: 2,
};

/**
 * Automatic canaries end to end: the plugin in a test backend (Backstage's scheduler runs the
 * analysis), the sandbox's traffic, a real Prometheus scraping it every second.
 */
describe('metric-gated canaries', () => {
  let sandbox: Sandbox;
  let prometheus: RunningPrometheus;
  let server: any;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
      traffic: { requestsPerReplicaPerSecond: 50 },
    });
    prometheus = await startPrometheus(sandbox.clusters);
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups: { [ALICE]: ['group:default/bookinfo-team'] },
      meshExtra: { prometheus: { url: prometheus.url } },
      rootExtra: { canaryCheckSeconds: 1 },
      // Backstage's own scheduler, not the test backend's manual one: the analysis runs on its own.
      features: [schedulerServiceFactory],
    }));
  }, 60_000);
  let prometheusStopped = false;
  afterAll(async () => {
    if (!prometheusStopped) await prometheus?.stop();
    await sandbox?.stop();
  });

  const get = async (path = '') =>
    (
      await request(server)
        .get(`${base}${path}`)
        .set('Authorization', userHeader(ALICE))
    ).body;

  async function applyAs(intent: TrafficIntent) {
    const { revision } = await get();
    const res = await request(server)
      .post(`${base}/apply`)
      .set('Authorization', userHeader(ALICE))
      .send({ intent, revision });
    expect(res.body).toMatchObject({ ok: true });
  }

  /** Polls until the condition holds of the canary state, or fails after the deadline. */
  async function until(
    condition: (s: CanaryAnalysisState) => boolean,
    ms = 60_000,
  ): Promise<CanaryAnalysisState> {
    const deadline = Date.now() + ms;
    for (;;) {
      const state: CanaryAnalysisState = await get('/canary');
      if (condition(state)) return state;
      if (Date.now() > deadline)
        throw new Error(`not reached: ${JSON.stringify(state, null, 1)}`);
      await new Promise(r => setTimeout(r, 500));
    }
  }

  /** What each primary's VirtualService sends where, read with client-node as kubectl would. */
  async function splitOn(cluster: string) {
    const routes = await liveDefaultRoute(sandbox, cluster);
    return routes.map((r: any) => `${r.destination.subset}:${r.weight ?? 100}`);
  }

  const startCanary = (from: TrafficIntent) =>
    withCanary(from, {
      action: 'start',
      baseline: 'v1',
      candidate: 'v2',
      steps: [50, 100],
      analysis,
      auto: true,
    });

  it('aborts on both primaries when the candidate fails on west only, with every evaluation’s figures in history', async () => {
    const model = sandbox.traffic.get('demo')!;
    const v2 = { namespace: 'bookinfo', service: 'reviews', version: 'v2' };
    model.setBehaviour({ ...v2, cluster: 'west' }, { errorRate: 0.3 });
    await applyAs(startCanary({ split: [{ version: 'v1', weight: 100 }] }));

    const done = await until(s => !s.run && s.evaluations.length >= 2);
    const [abort, first] = done.evaluations;
    expect(first).toMatchObject({
      verdict: 'fail',
      action: 'none',
      failures: 1,
    });
    expect(abort).toMatchObject({
      verdict: 'fail',
      action: 'abort',
      failures: 2,
      historyId: expect.any(Number),
    });
    // East passed, west failed: the values it was decided on, per cluster.
    const byCluster = Object.fromEntries(
      abort.clusters.map(c => [c.cluster, c]),
    );
    expect(byCluster.east).toMatchObject({ verdict: 'pass', successRate: 100 });
    expect(byCluster.west.verdict).toBe('fail');
    expect(byCluster.west.successRate).toBeLessThan(90);
    expect(byCluster.west.requests).toBeGreaterThanOrEqual(20);
    expect(abort.reason).toMatch(/^west: success rate .* is below 99%/);

    // Both primaries hold all traffic to the baseline.
    expect(await splitOn('east')).toEqual(['v1:100']);
    expect(await splitOn('west')).toEqual(['v1:100']);

    const ENTITY = '/entities/{kind}/{namespace}/{name}';
    expectDocumented(`${ENTITY}/canary`, 'get', '200', done);
    expectDocumented(`${ENTITY}/history`, 'get', '200', await get('/history'));
    const history: HistoryEntry[] = (await get('/history')).items;
    const aborted = history.find(h => h.id === abort.historyId)!;
    expect(aborted).toMatchObject({
      actor: ANALYSIS_ACTOR,
      onBehalfOf: ALICE,
      ok: true,
      intentAfter: { split: [{ version: 'v1', weight: 100 }] },
    });
    expect(aborted.reason).toMatch(/canary analysis: west: success rate/);
    model.setBehaviour({ ...v2, cluster: 'west' }, { errorRate: 0 });
  }, 120_000);

  it('advances a healthy candidate through every step to promotion with no click', async () => {
    await applyAs(startCanary({ split: [{ version: 'v1', weight: 100 }] }));
    const started = (await get('/canary')) as CanaryAnalysisState;
    expectDocumented(
      '/entities/{kind}/{namespace}/{name}/canary',
      'get',
      '200',
      started,
    );
    expect(started.run).toMatchObject({
      startedBy: ALICE,
      step: 1,
      failures: 0,
    });

    const done = await until(
      s => !s.run && s.evaluations[0]?.action === 'promote',
    );
    // Newest first: the promotion, then the advance; an interval with too few requests (a loaded
    // machine) may sit between them, judged inconclusive and never failed.
    const [promote] = done.evaluations;
    const advanceAt = done.evaluations.findIndex(e => e.action === 'advance');
    const advance = done.evaluations[advanceAt];
    // Named, with their reasons, when one is anything else.
    expect(
      done.evaluations
        .slice(1, advanceAt)
        .filter(e => !(e.verdict === 'inconclusive' && e.action === 'none')),
    ).toEqual([]);
    expect(advance).toMatchObject({
      verdict: 'pass',
      action: 'advance',
      step: 1,
    });
    expect(promote).toMatchObject({
      verdict: 'pass',
      action: 'promote',
      step: 2,
    });
    expect(promote.clusters.map(c => c.cluster)).toEqual(['east', 'west']);
    expect(await splitOn('east')).toEqual(['v2:100']);
    expect(await splitOn('west')).toEqual(['v2:100']);
    const history: HistoryEntry[] = (await get('/history')).items;
    const automatic = history
      .filter(h => h.actor === ANALYSIS_ACTOR)
      .slice(0, 2);
    expect(
      automatic.map(h => h.intentAfter?.canary?.step ?? 'promoted'),
    ).toEqual(['promoted', 2]);
    expect(automatic.every(h => h.onBehalfOf === ALICE && h.ok)).toBe(true);
  }, 120_000);

  it('refuses an automatic canary without an analysis before anything reaches a cluster, naming canary.auto', async () => {
    const res = await request(server)
      .post(`${base}/plan`)
      .set('Authorization', userHeader(ALICE))
      .send({
        intent: {
          ...startCanary({ split: [{ version: 'v2', weight: 100 }] }),
          canary: {
            ...startCanary({ split: [{ version: 'v2', weight: 100 }] }).canary,
            analysis: undefined,
          },
        },
      });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      expect.objectContaining({ path: 'canary.auto' }),
    ]);
  });

  /** The Deployments API of a sandbox cluster, as an operator with kubectl reaches it. */
  function apps(cluster: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    kc.setCurrentContext(cluster);
    return kc.makeApiClient(AppsV1Api);
  }

  it('aborts on every config cluster within failureLimit + 1 intervals when the candidate is deleted after its first step', async () => {
    // v3 runs on west only: deleting it there leaves the 20% it receives nowhere to go.
    await applyAs({ split: [{ version: 'v1', weight: 100 }] });
    await applyAs(
      withCanary(
        { split: [{ version: 'v1', weight: 100 }] },
        {
          action: 'start',
          baseline: 'v1',
          candidate: 'v3',
          steps: [20, 100],
          analysis,
          auto: true,
        },
      ),
    );
    expect(await splitOn('west')).toEqual(['v1:80', 'v3:20']);
    const west = apps('west');
    const deployment = await west.readNamespacedDeployment({
      name: 'reviews-v3',
      namespace: 'bookinfo',
    });
    const before = ((await get('/canary')) as CanaryAnalysisState).evaluations
      .length;
    await west.deleteNamespacedDeployment({
      name: 'reviews-v3',
      namespace: 'bookinfo',
    });
    try {
      const done = await until(s => !s.run);
      const since = done.evaluations.slice(0, done.evaluations.length - before);
      expect(since.length).toBeLessThanOrEqual(analysis.failureLimit + 1);
      const [abort] = since;
      expect(abort).toMatchObject({ verdict: 'fail', action: 'abort' });
      expect(abort.reason).toMatch(
        /v3 receives 20% of the traffic but has no ready pod anywhere in the mesh/,
      );
      expect(abort.clusters.map(c => [c.cluster, c.verdict])).toEqual([
        ['east', 'fail'],
        ['west', 'fail'],
      ]);
      expect(await splitOn('east')).toEqual(['v1:100']);
      expect(await splitOn('west')).toEqual(['v1:100']);
    } finally {
      const { metadata, spec } = deployment;
      await west.createNamespacedDeployment({
        namespace: 'bookinfo',
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: metadata!.name, labels: metadata!.labels },
          spec,
        },
      });
    }
  }, 120_000);

  it('aborts on the primary it can reach when the other is down, records the down one, and writes it once it is back', async () => {
    const model = sandbox.traffic.get('demo')!;
    const v2 = { namespace: 'bookinfo', service: 'reviews', version: 'v2' };
    await applyAs({ split: [{ version: 'v1', weight: 100 }] });
    await applyAs(startCanary({ split: [{ version: 'v1', weight: 100 }] }));
    model.setBehaviour({ ...v2, cluster: 'west' }, { errorRate: 0.5 });
    await sandbox.faults.down('east');
    try {
      const aborting = await until(s =>
        s.evaluations.some(
          e => e.action === 'abort' && /east: interrupted/.test(e.reason),
        ),
      );
      // The run stays: the abort is owed to east.
      expect(aborting.run).toBeDefined();
      const abort = aborting.evaluations.find(e => e.action === 'abort')!;
      expect(abort.reason).toMatch(/west: applied/);
      expect(await splitOn('west')).toEqual(['v1:100']);
      const history: HistoryEntry[] = (await get('/history')).items;
      expect(history.find(h => h.id === abort.historyId)).toMatchObject({
        state: 'interrupted',
        clusters: [
          expect.objectContaining({ cluster: 'east', outcome: 'interrupted' }),
          expect.objectContaining({ cluster: 'west', outcome: 'applied' }),
        ],
      });
    } finally {
      await sandbox.faults.up('east');
      model.setBehaviour({ ...v2, cluster: 'west' }, { errorRate: 0 });
    }
    // Back up: the next interval writes the abort to east, and the run ends.
    await until(s => !s.run);
    expect(await splitOn('east')).toEqual(['v1:100']);
    expect(await splitOn('west')).toEqual(['v1:100']);
  }, 120_000);

  it('aborts at the error limit when Prometheus cannot be read, instead of waiting forever', async () => {
    await applyAs({ split: [{ version: 'v1', weight: 100 }] });
    await prometheus.stop();
    prometheusStopped = true;
    await applyAs(
      withCanary(
        { split: [{ version: 'v1', weight: 100 }] },
        {
          action: 'start',
          baseline: 'v1',
          candidate: 'v2',
          steps: [50, 100],
          analysis: { ...analysis, errorLimit: 2 },
          auto: true,
        },
      ),
    );
    const done = await until(s => !s.run);
    const [abort, first] = done.evaluations;
    expect(first).toMatchObject({ verdict: 'inconclusive', action: 'none' });
    expect(first.reason).toMatch(
      /^no figures: .*interval 1 of 2 in a row without metrics/,
    );
    expect(abort).toMatchObject({ verdict: 'inconclusive', action: 'abort' });
    expect(abort.reason).toMatch(
      /interval 2 of 2 in a row without metrics\): aborted, all traffic back to v1/,
    );
    expect(await splitOn('east')).toEqual(['v1:100']);
    expect(await splitOn('west')).toEqual(['v1:100']);
  }, 120_000);
});
