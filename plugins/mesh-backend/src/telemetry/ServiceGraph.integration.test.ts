import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { GraphEdge } from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { MeshServices } from '../__testUtils__/meshServices';
import {
  demoCalledFromEveryPrimary,
  describePrometheus,
  reviewsTarget,
  usePrometheusMesh,
} from '../__testUtils__/prometheusMesh';
import { MeshMetrics } from './MeshMetrics';

const host = 'reviews.bookinfo.svc.cluster.local';
/** The sandbox's traffic: each ready replica of a caller sends this many requests a second to each callee. */
const PER_REPLICA = 100;
const spiffe = (service: string) =>
  `spiffe://cluster.local/ns/bookinfo/sa/${service}`;

describePrometheus('the service graph from a real Prometheus', () => {
  const env = usePrometheusMesh(demoCalledFromEveryPrimary);
  let sandbox: Sandbox;
  let services: MeshServices;
  const WINDOW = '20s';
  beforeAll(async () => {
    ({ sandbox, services } = env);
    // Half of what reviews v1 on east answers fails, so the 5xx share is read, not assumed 0.
    sandbox.traffic.get('demo')!.setBehaviour(
      {
        namespace: 'bookinfo',
        service: 'reviews',
        version: 'v1',
        cluster: 'east',
      },
      { errorRate: 0.5 },
    );
    // A window filled with the sandbox's traffic at those rates.
    await new Promise(r => setTimeout(r, 22_000));
  }, 40_000);

  /** Ready replicas of each version of a service per cluster, read from the clusters. */
  async function readyReplicas(service: string) {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfigPath);
    const ready = new Map<string, number>();
    for (const cluster of ['east', 'west']) {
      config.setCurrentContext(cluster);
      const list = await config
        .makeApiClient(AppsV1Api)
        .listNamespacedDeployment({
          namespace: 'bookinfo',
          labelSelector: `app=${service}`,
        });
      for (const d of list.items)
        ready.set(
          `${cluster}/${d.metadata!.labels!.version}`,
          d.status?.readyReplicas ?? 0,
        );
    }
    return ready;
  }

  const sum = (edges: GraphEdge[]) =>
    edges.reduce((total, e) => total + e.requestRate, 0);

  it('shows productpage calling reviews from both primaries, over mutual TLS as productpage, at the model’s rates', async () => {
    const mesh = services.state.meshFor(reviewsTarget);
    const graph = await new MeshMetrics().graph(mesh, host, WINDOW);
    expect(graph).toMatchObject({
      window: WINDOW,
      service: 'reviews',
      namespace: 'bookinfo',
    });
    const fromProductpage = graph.inbound.filter(
      e => e.peer.service === 'productpage',
    );
    const callers = await readyReplicas('productpage');
    for (const cluster of ['east', 'west']) {
      const expected = PER_REPLICA * (callers.get(`${cluster}/v1`) ?? 0);
      expect(expected).toBeGreaterThan(0);
      const observed = sum(
        fromProductpage.filter(e => e.peer.cluster === cluster),
      );
      expect(Math.abs(observed - expected) / expected).toBeLessThan(0.1);
    }
    for (const edge of fromProductpage) {
      expect(edge).toMatchObject({
        peer: { namespace: 'bookinfo', version: 'v1' },
        mtls: 'mutual_tls',
        principals: [spiffe('productpage')],
      });
      expect(edge.p99Ms).toBeGreaterThan(0);
      // One edge per caller cluster and version, whatever other labels the series carry.
      expect(
        fromProductpage.filter(
          e =>
            e.peer.cluster === edge.peer.cluster &&
            e.self.cluster === edge.self.cluster &&
            e.self.version === edge.self.version,
        ),
      ).toHaveLength(1);
    }
    const failing = fromProductpage.filter(
      e => e.self.cluster === 'east' && e.self.version === 'v1',
    );
    expect(failing.length).toBeGreaterThan(0);
    for (const edge of fromProductpage)
      expect(
        Math.abs(edge.errorRate! - (failing.includes(edge) ? 0.5 : 0)),
      ).toBeLessThan(0.1);
    // No one else calls reviews in the demo.
    expect(graph.inbound.every(e => e.peer.service === 'productpage')).toBe(
      true,
    );
  }, 60_000);

  it('shows reviews calling ratings from v2 and v3 only, to ratings’ own identity', async () => {
    const mesh = services.state.meshFor(reviewsTarget);
    const graph = await new MeshMetrics().graph(mesh, host, WINDOW);
    const toRatings = graph.outbound.filter(e => e.peer.service === 'ratings');
    expect(new Set(toRatings.map(e => e.self.version))).toEqual(
      new Set(['v2', 'v3']),
    );
    const callers = await readyReplicas('reviews');
    expect(callers.size).toBeGreaterThan(0);
    for (const [key, replicas] of callers) {
      const [cluster, version] = key.split('/');
      const observed = sum(
        toRatings.filter(
          e => e.self.cluster === cluster && e.self.version === version,
        ),
      );
      const expected = version === 'v1' ? 0 : PER_REPLICA * replicas;
      // v1 calls no one: its rate must be 0; the others within 10 % of the model's.
      expect(
        Math.abs(observed - expected) / Math.max(expected, 1),
      ).toBeLessThan(0.1);
    }
    for (const edge of toRatings) {
      expect(edge.principals).toEqual([spiffe('ratings')]);
      expect(edge.mtls).toBeUndefined();
    }
  }, 60_000);

  it('says Prometheus cannot be read (503) or is not configured (404), and answers nothing made up', async () => {
    const mesh = services.state.meshFor(reviewsTarget);
    await expect(
      new MeshMetrics().graph(
        {
          ...mesh,
          prometheus: { ...mesh.prometheus!, url: 'http://127.0.0.1:1' },
        },
        host,
        WINDOW,
      ),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    await expect(
      new MeshMetrics().graph({ ...mesh, prometheus: undefined }, host, WINDOW),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
