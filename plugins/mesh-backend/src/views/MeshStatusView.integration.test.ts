import { RunningPrometheus, Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { clusterApis } from '../__testUtils__/clusterObjects';
import { expectDocumented } from '../__testUtils__/documented';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
  useDemoWithPrometheus,
} from '../__testUtils__/meshBackend';
import { describePrometheus } from '../__testUtils__/prometheusMesh';

const ALICE = 'user:default/alice';

describe('GET /meshes/:mesh/status', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups: { [ALICE]: ['group:default/bookinfo-team'] },
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const status = async () =>
    (
      await request(server)
        .get('/api/mesh/meshes/demo/status')
        .set('Authorization', userHeader(ALICE))
    ).body;

  it('shows the clusters, both control planes with their versions, the sidecars per namespace and the routed services', async () => {
    const base = '/api/mesh/entities/component/default/reviews';
    const { revision } = (
      await request(server).get(base).set('Authorization', userHeader(ALICE))
    ).body;
    const applied = await request(server)
      .post(`${base}/apply`)
      .set('Authorization', userHeader(ALICE))
      .send({
        intent: {
          split: [
            { version: 'v1', weight: 70 },
            { version: 'v3', weight: 30 },
          ],
        },
        revision,
      });
    expect(applied.body.ok).toBe(true);

    const mesh = await status();
    expectDocumented('/meshes/{mesh}/status', 'get', '200', mesh);
    expect(mesh.kind).toBe('multi-primary');
    expect(
      mesh.clusters.map(
        (c: any) => `${c.name} ${c.role} ${c.kubernetesVersion}`,
      ),
    ).toEqual([
      'east primary v1.31.0+kube-sandbox',
      'west primary v1.31.0+kube-sandbox',
      'edge remote v1.31.0+kube-sandbox',
    ]);
    expect(mesh.controlPlanes).toEqual([
      {
        cluster: 'east',
        name: 'istiod-1-24-2',
        revision: '1-24-2',
        version: '1.24.2',
        replicas: 2,
        readyReplicas: 2,
      },
      {
        cluster: 'west',
        name: 'istiod-1-23-4',
        revision: '1-23-4',
        version: '1.23.4',
        replicas: 1,
        readyReplicas: 1,
      },
    ]);
    const bookinfo = (cluster: string) =>
      mesh.namespaces.find(
        (n: any) => n.cluster === cluster && n.namespace === 'bookinfo',
      );
    // Edge is configured by east's control plane: its namespace carries east's revision.
    expect(bookinfo('edge')).toMatchObject({ injection: '1-24-2', pods: 0 });
    expect(bookinfo('east')).toMatchObject({ injection: '1-24-2' });
    expect(bookinfo('west')).toMatchObject({ injection: '1-23-4' });
    expect(bookinfo('west').injectedPods).toBe(bookinfo('west').pods);
    expect(
      mesh.namespaces.find(
        (n: any) => n.cluster === 'east' && n.namespace === 'istio-system',
      ),
    ).toMatchObject({ pods: 2, injectedPods: 0 });
    expect(mesh.services).toEqual([
      {
        entityRef: 'component:default/reviews',
        host: 'reviews.bookinfo.svc.cluster.local',
        summary: 'v1 70 / v3 30',
        clusters: [
          { cluster: 'east', status: 'ours' },
          { cluster: 'west', status: 'ours' },
        ],
        lastChange: {
          actor: ALICE,
          at: expect.any(String),
          state: 'applied',
        },
      },
    ]);
  });

  it('shows a hand edit on one primary as drift there, and an unreachable cluster without hiding the rest', async () => {
    const { custom } = clusterApis(sandbox, 'west');
    // A hand edit, as kubectl patch would make it.
    await custom.patchNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'bookinfo',
      plural: 'virtualservices',
      name: 'reviews',
      body: [{ op: 'add', path: '/spec/http/0/timeout', value: '9s' }],
    });
    await sandbox.faults.down('edge');
    const mesh = await status();
    expect(mesh.services[0].clusters).toEqual([
      { cluster: 'east', status: 'ours' },
      { cluster: 'west', status: 'drifted' },
    ]);
    const edge = mesh.clusters.find((c: any) => c.name === 'edge');
    expect(edge.reachable).toBe(false);
    expect(edge.error).toEqual(expect.any(String));
    expect(mesh.controlPlanes).toHaveLength(2);
  });

  it('names an unknown mesh', async () => {
    const unknown = await request(server)
      .get('/api/mesh/meshes/nope/status')
      .set('Authorization', userHeader(ALICE));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no mesh nope/);
  });
});

describePrometheus(
  'the proxies on the status page, from the real Prometheus',
  () => {
    let sandbox: Sandbox;
    let prometheus: RunningPrometheus;
    let server: any;

    // A few scrapes, so the CPU counters have a rate.
    const env = useDemoWithPrometheus({ scrapedMs: 5_000 });
    beforeAll(() => ({ sandbox, prometheus, server } = env));

    const status = async () =>
      (
        await request(server)
          .get('/api/mesh/meshes/demo/status')
          .set('Authorization', userHeader(ALICE))
      ).body;

    /** The running pods of a cluster given a sidecar, read through its API. */
    const runningProxies = async (cluster: string) => {
      const { core } = clusterApis(sandbox, cluster);
      const pods = await core.listPodForAllNamespaces();
      return pods.items.filter(
        p =>
          p.status?.phase === 'Running' &&
          p.spec?.containers.some(c => c.name === 'istio-proxy'),
      ).length;
    };

    it("sums what each cluster's istio-proxy containers use, as documented", async () => {
      const mesh = await status();
      expectDocumented('/meshes/{mesh}/status', 'get', '200', mesh);
      expect(mesh.proxyResourcesError).toBeUndefined();
      expect(mesh.proxyResources.map((p: any) => p.cluster)).toEqual([
        'east',
        'west',
      ]);
      for (const p of mesh.proxyResources) {
        const n = await runningProxies(p.cluster);
        expect(n).toBeGreaterThan(0);
        expect(p.proxies).toBe(n);
        // The sandbox's proxies use 3 to 5 millicores and 40 to 60 MiB each.
        expect(p.cpuCores).toBeGreaterThan(0.0025 * n);
        expect(p.cpuCores).toBeLessThan(0.0055 * n);
        expect(p.memoryBytes).toBeGreaterThanOrEqual(40 * 1024 * 1024 * n);
        expect(p.memoryBytes).toBeLessThanOrEqual(60 * 1024 * 1024 * n);
      }
    });

    it('counts a pod whose sidecar is not running as a proxy not ready, in its namespace', async () => {
      const { core } = clusterApis(sandbox, 'west');
      await core.createNamespacedPod({
        namespace: 'bookinfo',
        body: {
          metadata: { name: 'reviews-v9-stuck', namespace: 'bookinfo' },
          spec: {
            containers: [
              { name: 'reviews', image: 'reviews' },
              { name: 'istio-proxy', image: 'proxyv2' },
            ],
          },
          status: {
            phase: 'Running',
            containerStatuses: [
              { name: 'istio-proxy', ready: false } as any,
              { name: 'reviews', ready: true } as any,
            ],
          },
        },
      });
      const bookinfo = (mesh: any, cluster: string) =>
        mesh.namespaces.find(
          (n: any) => n.cluster === cluster && n.namespace === 'bookinfo',
        );
      let mesh = await status();
      for (let i = 0; i < 40 && !bookinfo(mesh, 'west').proxiesNotReady; i++) {
        await new Promise(r => setTimeout(r, 50));
        mesh = await status();
      }
      expect(bookinfo(mesh, 'west').proxiesNotReady).toBe(1);
      expect(bookinfo(mesh, 'east').proxiesNotReady).toBeUndefined();
    });

    it('says why when Prometheus does not answer, and still shows the rest', async () => {
      await prometheus.stop();
      const mesh = await status();
      expect(mesh.proxyResources).toBeUndefined();
      expect(mesh.proxyResourcesError).toMatch(/Prometheus/);
      expect(mesh.clusters.map((c: any) => c.reachable)).toEqual([
        true,
        true,
        true,
      ]);
    });
  },
);
