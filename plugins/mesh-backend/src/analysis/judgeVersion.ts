import {
  CanaryAnalysis,
  ClusterCheck,
  MeshTarget,
  serviceHost,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { LiveState } from '../read/LiveStateReader';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import { judgeCluster } from './verdict';

/** The clusters where a version has ready pods, sorted: where its figures mean something. */
export function clustersRunning(live: LiveState, version: string): string[] {
  return [
    ...new Set(
      live.clusters
        .flatMap(c => c.state.workloads)
        .filter(w => w.version === version && w.readyReplicas > 0)
        .map(w => w.cluster),
    ),
  ].sort();
}

/**
 * A version judged on each of the clusters over a window, from one round of Prometheus queries
 * for them all; a cluster Prometheus has no figures for had no requests.
 */
export async function judgeVersionOn(
  metrics: Pick<MeshMetrics, 'candidate'>,
  judged: {
    live: LiveState;
    target: MeshTarget;
    version: string;
    clusters: string[];
    window: string;
    analysis: CanaryAnalysis;
  },
): Promise<ClusterCheck[]> {
  const { live, version, analysis } = judged;
  const figures = await metrics.candidate(
    live.mesh,
    serviceHost(judged.target),
    version,
    judged.window,
    analysis.latency?.percentile ?? 99,
  );
  return judged.clusters.map(cluster =>
    judgeCluster(
      figures.find(f => f.cluster === cluster) ?? { cluster, requests: 0 },
      analysis,
    ),
  );
}
