import { NotFoundError } from '@backstage/errors';
import {
  CallerShare,
  durationToMillis,
  HostTraffic,
  ProxyResources,
  ServiceGraph,
  VersionSeries,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';
import { PrometheusClient, Sample } from './PrometheusClient';
import {
  callerRate,
  latencyPercentile,
  callerLocalFailures,
  callerRequests,
  proxyCount,
  proxyCpu,
  proxyMemory,
  reportingClusters,
  requestCount,
  requestRate,
  successRate,
  versionRate,
} from './promql';
import { CallerFailures, CandidateFigures, finite } from './figures';
import { readServiceGraph } from './ServiceGraphReader';

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
    const [rates, successes, p50s, p99s, calls, series] = await Promise.all([
      client.query(requestRate(host, window)),
      client.query(successRate(host, window)),
      client.query(latencyPercentile(host, window, 0.5)),
      client.query(latencyPercentile(host, window, 0.99)),
      client.query(callerRate(host, window)),
      this.series(client, host, window),
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
    return {
      window,
      versions,
      callers: callerShares(calls, cluster),
      series,
    };
  }

  /**
   * What each cluster's sidecars use, from their containers' cAdvisor metrics: three queries for
   * every cluster at once, whatever the number of proxies. Only clusters that report appear.
   */
  async proxyResources(mesh: MeshConfig): Promise<ProxyResources[]> {
    const client = this.client(mesh);
    const [cpu, memory, count] = await Promise.all(
      [proxyCpu(), proxyMemory(), proxyCount()].map(q => client.query(q)),
    );
    const cores = byCluster(mesh, cpu);
    const bytes = byCluster(mesh, memory);
    // One Prometheus may scrape other meshes' clusters too: only this mesh's are its proxies.
    const ours = new Set(mesh.clusters.map(c => c.name));
    return [...byCluster(mesh, count).entries()]
      .filter(([cluster]) => ours.has(cluster))
      .map(([cluster, proxies]) => ({
        cluster,
        proxies,
        cpuCores: finite(cores.get(cluster)) ?? 0,
        memoryBytes: finite(bytes.get(cluster)) ?? 0,
      }))
      .sort((a, b) => a.cluster.localeCompare(b.cluster));
  }

  /**
   * The clusters whose proxies reported as a destination over the window: a cluster missing
   * here is one Prometheus does not see, not one nobody called.
   */
  async reportingClusters(mesh: MeshConfig, window: string): Promise<string[]> {
    const cluster = clusterNames(mesh);
    const samples = await this.client(mesh).query(reportingClusters(window));
    return samples.map(s => cluster(s.metric.destination_cluster)).sort();
  }

  /** Who calls the host and whom it calls over the window, per cluster and version. */
  async graph(
    mesh: MeshConfig,
    host: string,
    window: string,
  ): Promise<ServiceGraph> {
    return readServiceGraph(
      this.client(mesh),
      clusterNames(mesh),
      host,
      window,
    );
  }

  /**
   * A canary candidate's figures per cluster over an interval: requests, success rate in percent,
   * and a latency percentile. The same queries as live traffic, read for one version.
   */
  async candidate(
    mesh: MeshConfig,
    host: string,
    version: string,
    window: string,
    percentile: number,
  ): Promise<CandidateFigures[]> {
    const client = this.client(mesh);
    const [counts, successes, latencies] = await Promise.all([
      client.query(requestCount(host, window)),
      client.query(successRate(host, window)),
      client.query(latencyPercentile(host, window, percentile / 100)),
    ]);
    const cluster = clusterNames(mesh);
    const ofVersion = (samples: Sample[]) =>
      new Map(
        samples
          .filter(s => s.metric.destination_version === version)
          .map(s => [cluster(s.metric.destination_cluster), s.value]),
      );
    const [success, latency] = [ofVersion(successes), ofVersion(latencies)];
    return [...ofVersion(counts)].map(([name, requests]) => ({
      cluster: name,
      requests,
      ...(finite(success.get(name)) !== undefined
        ? { successRate: 100 * success.get(name)! }
        : {}),
      ...(finite(latency.get(name)) !== undefined
        ? { latencyMs: latency.get(name) }
        : {}),
    }));
  }

  /**
   * Per calling cluster, the requests sent to a host over an interval and those its callers'
   * proxies failed themselves (no healthy endpoint where the routing sent them).
   */
  async callerFailures(
    mesh: MeshConfig,
    host: string,
    window: string,
  ): Promise<CallerFailures[]> {
    const client = this.client(mesh);
    const [failures, totals] = await Promise.all([
      client.query(callerLocalFailures(host, window)),
      client.query(callerRequests(host, window)),
    ]);
    const cluster = clusterNames(mesh);
    const failed = new Map(
      failures.map(s => [cluster(s.metric.source_cluster), s.value]),
    );
    return totals
      .map(s => ({
        cluster: cluster(s.metric.source_cluster),
        requests: finite(s.value) ?? 0,
        failed: finite(failed.get(cluster(s.metric.source_cluster))) ?? 0,
      }))
      .sort((a, b) => a.cluster.localeCompare(b.cluster));
  }

  /**
   * About 30 points over the window; each a rate over at least 30 s, so that a Prometheus that
   * scrapes every 15 s still has two samples in it.
   */
  private async series(
    client: PrometheusClient,
    host: string,
    window: string,
  ): Promise<VersionSeries[]> {
    const seconds = (durationToMillis(window) ?? 300_000) / 1000;
    const stepSeconds = Math.max(1, Math.round(seconds / 30));
    const end = Math.floor(Date.now() / 1000);
    const found = await client.queryRange(
      versionRate(host, `${Math.max(30, 2 * stepSeconds)}s`),
      { start: end - seconds, end, stepSeconds },
    );
    return found
      .filter(
        s =>
          s.metric.destination_version &&
          s.metric.destination_version !== 'unknown',
      )
      .map(s => ({ version: s.metric.destination_version, points: s.points }))
      .sort((a, b) => a.version.localeCompare(b.version));
  }
}

/** Per cluster, the samples of each figure by their `cluster` label, as the config names it. */
function byCluster(mesh: MeshConfig, samples: Sample[]) {
  const cluster = clusterNames(mesh);
  return new Map(samples.map(s => [cluster(s.metric.cluster), s.value]));
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
