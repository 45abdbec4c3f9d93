import {
  loadTopology,
  RunningPrometheus,
  Sandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor, MeshServices } from '../__testUtils__/meshServices';
import {
  demoCalledFromEveryPrimary,
  describePrometheus,
  reviewsTarget,
  usePrometheusMesh,
} from '../__testUtils__/prometheusMesh';
import { MeshMetrics } from './MeshMetrics';
import {
  AppsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { untilRead } from '../__testUtils__/untilWatched';
import { callerFailureChecks } from '../analysis/callerFailures';

const reviews = reviewsTarget;
const host = 'reviews.bookinfo.svc.cluster.local';

describePrometheus('live traffic from a real Prometheus', () => {
  const env = usePrometheusMesh(demoCalledFromEveryPrimary);
  const db = env.db;
  let sandbox: Sandbox;
  let prometheus: RunningPrometheus;
  let services: MeshServices;
  beforeAll(() => ({ sandbox, prometheus, services } = env));

  it('shows per cluster and version the rate, success and latency, and where each cluster’s callers send the host', async () => {
    const { revision } = await services.status.get(reviews);
    const outcome = await services.applier.apply({
      target: reviews,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 80 },
          { version: 'v3', weight: 20 },
        ],
      },
      revision,
    });
    expect(outcome).toMatchObject({ ok: true });
    const mesh = services.state.meshFor(reviews);
    const metrics = new MeshMetrics();
    // Let a 10 s window fill with traffic routed by the new split, then read it.
    await new Promise(r => setTimeout(r, 12_000));
    const traffic = await metrics.traffic(mesh, host, '10s');
    const east = Object.fromEntries(
      traffic.callers
        .filter(c => c.cluster === 'east')
        .map(c => [c.version, c.percent]),
    );
    expect(Math.abs(east.v1 - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs(east.v3 - 20)).toBeLessThanOrEqual(5);
    // v3 runs only on west: its requests are all served there, and healthy.
    const v3 = traffic.versions.filter(v => v.version === 'v3');
    expect(v3.map(v => v.cluster)).toEqual(['west']);
    expect(v3[0]).toMatchObject({
      successRate: 1,
      requestRate: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
    });
    expect(v3[0].p99Ms!).toBeGreaterThan(v3[0].p50Ms!);
  }, 60_000);

  it('counts the requests callers’ own proxies fail when the version they are routed to has no endpoint', async () => {
    // The previous test left v1 80 / v3 20; v3 runs only on west.
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfigPath);
    config.setCurrentContext('west');
    const west = config.makeApiClient(AppsV1Api);
    const v3 = await west.readNamespacedDeployment({
      name: 'reviews-v3',
      namespace: 'bookinfo',
    });
    await west.deleteNamespacedDeployment({
      name: 'reviews-v3',
      namespace: 'bookinfo',
    });
    try {
      await new Promise(r => setTimeout(r, 12_000));
      const mesh = services.state.meshFor(reviews);
      const figures = await new MeshMetrics().callerFailures(mesh, host, '10s');
      expect(figures.map(f => f.cluster)).toEqual(['east', 'west']);
      for (const f of figures) {
        expect(f.requests).toBeGreaterThan(0);
        expect(Math.abs(f.failed / f.requests - 0.2)).toBeLessThanOrEqual(0.05);
      }
      const checks = callerFailureChecks(
        figures,
        { successRateMin: 99, minRequests: 10 } as any,
        'v3',
        host,
      );
      expect(checks.map(c => [c.cluster, c.verdict])).toEqual([
        ['east', 'fail'],
        ['west', 'fail'],
      ]);
      expect(checks[0].reasons[0]).toMatch(
        /failed at their own proxy .* the share routed to v3 finds no healthy endpoint/,
      );
    } finally {
      // Back as it was, ready pods included: the sandbox keeps what a write says of status.
      const { metadata, spec, status } = v3;
      await west.createNamespacedDeployment({
        namespace: 'bookinfo',
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: metadata!.name, labels: metadata!.labels },
          spec,
        },
      });
      await west.patchNamespacedDeployment(
        {
          name: metadata!.name!,
          namespace: 'bookinfo',
          body: {
            status: {
              readyReplicas: status?.readyReplicas,
              replicas: status?.replicas,
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      // The backend's caches see it ready again before the next test plans on it.
      await untilRead(
        () => services.state.read(reviews),
        live =>
          live.clusters.some(c =>
            c.state.workloads.some(
              w => w.version === 'v3' && w.readyReplicas > 0,
            ),
          ),
      );
    }
  }, 60_000);

  it('shows where a change landed: east’s callers follow a change stranded on east, west’s keep the old split', async () => {
    const apply = async (v1: number, v3: number) =>
      services.applier.apply({
        target: reviews,
        actor: 'user:default/alice',
        intent: {
          split: [
            { version: 'v1', weight: v1 },
            { version: 'v3', weight: v3 },
          ],
        },
        revision: (await services.status.get(reviews)).revision,
      });
    expect(await apply(50, 50)).toMatchObject({ ok: true });
    // West refuses the VirtualService; east takes it, then refuses the undo: the change stays on east.
    sandbox.faults.cluster('west').failNext({
      verb: 'apply',
      resource: 'virtualservices',
      status: 500,
      count: 1,
    });
    sandbox.faults.cluster('east').failNext({
      verb: 'apply',
      resource: 'virtualservices',
      status: 503,
      after: 1,
      count: 20,
    });
    const stranded = await apply(80, 20);
    sandbox.faults.cluster('east').clear();
    expect(stranded).toMatchObject({ valid: true, ok: false });
    const unfinished = await services.status.get(reviews);
    expect(unfinished.unfinished?.state).toBe('restore-failed');

    await new Promise(r => setTimeout(r, 12_000));
    const traffic = await new MeshMetrics().traffic(
      services.state.meshFor(reviews),
      host,
      '10s',
    );
    const shares = (cluster: string) =>
      Object.fromEntries(
        traffic.callers
          .filter(c => c.cluster === cluster)
          .map(c => [c.version, c.percent]),
      );
    expect(Math.abs(shares('east').v1 - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs(shares('west').v1 - 50)).toBeLessThanOrEqual(5);
    expect(Math.abs(shares('west').v3 - 50)).toBeLessThanOrEqual(5);
    // The chart's series: v1 and v3 now (v2 too while its traffic from before the split is in range).
    const v1 = traffic.series.find(s => s.version === 'v1')!;
    expect(traffic.series.map(s => s.version)).toEqual(
      expect.arrayContaining(['v1', 'v3']),
    );
    expect(v1.points.length).toBeGreaterThan(3);
    expect(v1.points.every(([t, rate]) => t > 0 && rate >= 0)).toBe(true);
  }, 60_000);

  it('carries an automatic canary on after a restart: a new backend on the same database judges and advances it', async () => {
    const started = await services.applier.apply({
      target: reviews,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 50 },
          { version: 'v3', weight: 50 },
        ],
        canary: {
          baseline: 'v1',
          candidate: 'v3',
          steps: [50, 100],
          step: 1,
          auto: true,
          analysis: {
            interval: '5s',
            successRateMin: 99,
            minRequests: 20,
            failureLimit: 1,
          },
        },
      },
      revision: (await services.status.get(reviews)).revision,
    });
    expect(started).toMatchObject({ ok: true });
    // The backend that started it is gone; another, on the same database, finds the run there.
    const restarted = await meshServicesFor(
      sandboxMeshConfig(sandbox, {
        meshExtra: { prometheus: { url: prometheus.url } },
      }),
      db,
    );
    expect(await restarted.analyst.evaluateDue()).toBe(0);
    const judged = (await restarted.analyst.stateFor(reviews.entityRef))
      .evaluations.length;
    await new Promise(r => setTimeout(r, 6_000));
    // Both replicas' scheduled runs find it due at once: the interval is judged once.
    expect(
      await Promise.all([
        restarted.analyst.evaluateDue(),
        services.analyst.evaluateDue(),
      ]),
    ).toEqual([1, 1]);
    const { run, evaluations } = await restarted.analyst.stateFor(
      reviews.entityRef,
    );
    expect(evaluations).toHaveLength(judged + 1);
    expect(evaluations[0]).toMatchObject({
      verdict: 'pass',
      action: 'advance',
      clusters: [expect.objectContaining({ cluster: 'west', verdict: 'pass' })],
    });
    expect(run).toMatchObject({ step: 2, startedBy: 'user:default/alice' });
    const history = await restarted.store.history(reviews.entityRef, 1);
    expect(history[0]).toMatchObject({
      onBehalfOf: 'user:default/alice',
      intentAfter: { split: [{ version: 'v3', weight: 100 }] },
    });
  }, 60_000);

  it('says clearly when the mesh names no Prometheus, or when it cannot be reached', async () => {
    const mesh = services.state.meshFor(reviews);
    await expect(
      new MeshMetrics().traffic({ ...mesh, prometheus: undefined }, host, '1m'),
    ).rejects.toThrow(/names no Prometheus/);
    const unreachable = {
      ...mesh,
      prometheus: {
        ...mesh.prometheus!,
        url: 'http://127.0.0.1:9',
        requestTimeoutMs: 500,
      },
    };
    await expect(
      new MeshMetrics().traffic(unreachable, host, '1m'),
    ).rejects.toThrow(/Prometheus could not be reached/);
  });
});

describePrometheus('live traffic on a mesh written as Gateway API', () => {
  const env = usePrometheusMesh(
    () => loadTopology(topologyPath('gateway-api')),
    { routingApi: 'gateway-api' },
  );
  const checkout = {
    mesh: 'gamma',
    namespace: 'storefront',
    service: 'checkout',
    entityRef: 'component:default/checkout',
  };

  it('reads the versions’ figures though the requests reach them through version Services', async () => {
    const { revision } = await env.services.status.get(checkout);
    const outcome = await env.services.applier.apply({
      target: checkout,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 70 },
          { version: 'v2', weight: 30 },
        ],
      },
      revision,
    });
    expect(outcome).toMatchObject({ ok: true });
    await new Promise(r => setTimeout(r, 12_000));
    const traffic = await new MeshMetrics().traffic(
      env.services.state.meshFor(checkout),
      'checkout.storefront.svc.cluster.local',
      '10s',
    );
    for (const cluster of ['north', 'south']) {
      const shares = Object.fromEntries(
        traffic.callers
          .filter(c => c.cluster === cluster)
          .map(c => [c.version, c.percent]),
      );
      expect(Math.abs(shares.v1 - 70)).toBeLessThanOrEqual(5);
      expect(Math.abs(shares.v2 - 30)).toBeLessThanOrEqual(5);
    }
    // v2 runs on south and dock: the HTTPRoute's backend reaches both.
    expect(
      traffic.versions
        .filter(v => v.version === 'v2')
        .map(v => v.cluster)
        .sort(),
    ).toEqual(['dock', 'south']);
  }, 60_000);
});
