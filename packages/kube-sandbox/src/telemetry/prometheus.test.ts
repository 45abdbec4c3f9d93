import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import fs from 'node:fs';
import { loadTopology } from '../topology';
import { topologyPath } from '../topologies';
import { Sandbox, startSandbox } from '../sandbox';
import {
  PROMETHEUS_BINARY,
  RunningPrometheus,
  startPrometheus,
} from './prometheus';

const hasPrometheus = fs.existsSync(PROMETHEUS_BINARY);
if (!hasPrometheus) {
  // npm test installs Debian's prometheus when it can; on CI a missing one is a failure, not a skip.
  if (process.env.CI)
    throw new Error(
      `${PROMETHEUS_BINARY} is absent on CI, where the telemetry tests must run`,
    );
  process.stderr.write(
    `kube-sandbox: Prometheus tests skipped: ${PROMETHEUS_BINARY} is absent (set PROMETHEUS_PATH)\n`,
  );
}
const describePrometheus = hasPrometheus ? describe : describe.skip;

const host = 'reviews.bookinfo.svc.cluster.local';
const ISTIO = {
  group: 'networking.istio.io',
  version: 'v1',
  namespace: 'bookinfo',
};

describePrometheus('a real Prometheus scraping the sandbox', () => {
  let sandbox: Sandbox;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    // The split lands on east before the first scrape, so every simulated request is routed by it.
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    kc.setCurrentContext('east');
    const api = kc.makeApiClient(CustomObjectsApi);
    const subsets = ['v1', 'v3'].map(v => ({
      name: v,
      labels: { version: v },
    }));
    await api.createNamespacedCustomObject({
      ...ISTIO,
      plural: 'destinationrules',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'reviews' },
        spec: { host, subsets },
      },
    });
    const route = [
      { destination: { host, subset: 'v1' }, weight: 80 },
      { destination: { host, subset: 'v3' }, weight: 20 },
    ];
    await api.createNamespacedCustomObject({
      ...ISTIO,
      plural: 'virtualservices',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews' },
        spec: { hosts: [host], http: [{ route }] },
      },
    });
    // A minute of traffic up front: the first scrapes already see enough requests to judge shares.
    sandbox.traffic.get('demo')!.advance(60);
    prometheus = await startPrometheus(sandbox.clusters);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await sandbox?.stop();
  });

  it('reads Istio’s metrics from every cluster: the shares east’s callers send match the split east holds', async () => {
    const promql =
      'sum by (destination_version) (istio_requests_total{reporter="source",source_cluster="east",destination_service_name="reviews"})';
    let shares: Record<string, number> = {};
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { result } = await prometheus.query(promql);
      const total = result.reduce((n, r) => n + Number(r.value[1]), 0);
      shares = Object.fromEntries(
        result.map(r => [
          r.metric.destination_version,
          Math.round((100 * Number(r.value[1])) / (total || 1)),
        ]),
      );
      if (total >= 1000) break;
      await new Promise(r => setTimeout(r, 1000));
    }
    expect(Math.abs((shares.v1 ?? 0) - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs((shares.v3 ?? 0) - 20)).toBeLessThanOrEqual(5);
    // Every cluster is a target, and up.
    const up = await prometheus.query('up');
    expect(up.result.map(r => [r.metric.cluster, r.value[1]]).sort()).toEqual([
      ['east', '1'],
      ['edge', '1'],
      ['west', '1'],
    ]);
  }, 60_000);
});
