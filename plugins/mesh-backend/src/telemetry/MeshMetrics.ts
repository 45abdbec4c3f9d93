import { NotFoundError } from '@backstage/errors';
import {
  CallerShare,
  HostTraffic,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';
import { PrometheusClient, Sample } from './PrometheusClient';
import {
  callerRate,
  latencyPercentile,
  requestRate,
  successRate,
} from './promql';

const finite = (n: number | undefined) =>
  n !== undefined && Number.isFinite(n) ? n : undefined;

/**
 * The live traffic of a host from its mesh's Prometheus: per cluster and version, rate, success
 * and latency; per calling cluster, the observed shares. One query per figure, all in parallel.
 */
export class MeshMetrics {
  private readonly clients = new Map<string, PrometheusClient>();

  private client(mesh: MeshConfig): PrometheusClient {
    if (!mesh.prometheus)
      throw new NotFoundError(
        `mesh ${mesh.id} names no Prometheus (mesh.meshes[].prometheus)`,
      );
    let client = this.clients.get(mesh.id);
    if (!client) {
      client = new PrometheusClient(mesh.prometheus);
      this.clients.set(mesh.id, client);
    }
    return client;
  }

  async traffic(
    mesh: MeshConfig,
    host: string,
    window: string,
  ): Promise<HostTraffic> {
    const client = this.client(mesh);
    const [rates, successes, p50s, p99s, calls] = await Promise.all([
      client.query(requestRate(host, window)),
      client.query(successRate(host, window)),
      client.query(latencyPercentile(host, window, 0.5)),
      client.query(latencyPercentile(host, window, 0.99)),
      client.query(callerRate(host, window)),
    ]);
    const cluster = clusterNames(mesh);
    const key = (s: Sample) =>
      `${cluster(s.metric.destination_cluster)}/${
        s.metric.destination_version
      }`;
    const lookup = (samples: Sample[]) =>
      new Map(samples.map(s => [key(s), s.value]));
    const [success, p50, p99] = [lookup(successes), lookup(p50s), lookup(p99s)];
    const versions = rates
      .filter(
        s =>
          s.metric.destination_version &&
          s.metric.destination_version !== 'unknown',
      )
      .map(s => ({
        cluster: cluster(s.metric.destination_cluster),
        version: s.metric.destination_version,
        requestRate: s.value,
        ...(finite(success.get(key(s))) !== undefined
          ? { successRate: success.get(key(s)) }
          : {}),
        ...(finite(p50.get(key(s))) !== undefined
          ? { p50Ms: p50.get(key(s)) }
          : {}),
        ...(finite(p99.get(key(s))) !== undefined
          ? { p99Ms: p99.get(key(s)) }
          : {}),
      }))
      .sort((a, b) =>
        `${a.cluster}/${a.version}`.localeCompare(`${b.cluster}/${b.version}`),
      );
    return { window, versions, callers: callerShares(calls, cluster) };
  }
}

/** Metric cluster labels back to the config's cluster names (clusterLabels maps the other way). */
function clusterNames(mesh: MeshConfig) {
  const byLabel = new Map(
    Object.entries(mesh.prometheus?.clusterLabels ?? {}).map(
      ([name, label]) => [label, name],
    ),
  );
  return (label: string | undefined) =>
    byLabel.get(label ?? '') ?? label ?? 'unknown';
}

function callerShares(
  calls: Sample[],
  cluster: (label?: string) => string,
): CallerShare[] {
  const totals = new Map<string, number>();
  for (const s of calls)
    totals.set(
      cluster(s.metric.source_cluster),
      (totals.get(cluster(s.metric.source_cluster)) ?? 0) + s.value,
    );
  return calls
    .filter(s => (totals.get(cluster(s.metric.source_cluster)) ?? 0) > 0)
    .map(s => ({
      cluster: cluster(s.metric.source_cluster),
      version: s.metric.destination_version,
      percent: (100 * s.value) / totals.get(cluster(s.metric.source_cluster))!,
    }))
    .sort((a, b) =>
      `${a.cluster}/${a.version}`.localeCompare(`${b.cluster}/${b.version}`),
    );
}
