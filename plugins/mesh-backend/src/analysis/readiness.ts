import {
  ClusterCheck,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { LiveState } from '../read/LiveStateReader';

/** The share of the default route a version receives, in percent. */
export function routedShare(intent: TrafficIntent, version: string): number {
  return intent.split
    .filter(s => s.version === version)
    .reduce((sum, s) => sum + s.weight, 0);
}

const failed = (cluster: string, reason: string): ClusterCheck => ({
  cluster,
  requests: 0,
  verdict: 'fail',
  reasons: [reason],
});

/**
 * What the clusters themselves say of a candidate that receives traffic, before any metric: its
 * requests go nowhere when it has no ready pod in the mesh (Envoy answers 503 no healthy
 * upstream, which only the caller's proxy reports), and a cluster where it is deployed but none
 * of its pods is ready (a crash loop, an image that does not pull) is a broken candidate. Each is a
 * failed check, never "too few requests". A cluster that cannot be read might hold ready pods,
 * so it never makes the candidate dead.
 */
export function readinessChecks(
  live: LiveState,
  candidate: string,
  /** The intent the canary stands at, when the clusters do not agree on one. */
  intent: TrafficIntent | undefined = live.intent,
): ClusterCheck[] {
  const share = intent ? routedShare(intent, candidate) : 0;
  if (share <= 0) return [];
  const workloads = live.clusters
    .flatMap(c => c.state.workloads)
    .filter(w => w.version === candidate);
  const ready = workloads.some(w => w.readyReplicas > 0);
  const everyClusterRead = live.clusters.every(c => c.reachable);
  if (!ready && everyClusterRead)
    return live.clusters
      .filter(c => c.isConfigCluster)
      .map(c =>
        failed(
          c.cluster,
          `${candidate} receives ${share}% of the traffic but has no ready pod anywhere in the mesh: those requests fail (503, no healthy upstream)`,
        ),
      );
  return workloads
    .filter(w => w.replicas > 0 && w.readyReplicas === 0)
    .map(w =>
      failed(
        w.cluster,
        `${candidate} is deployed here (${w.replicas} replicas) but none is ready (crash loop, image pull failure or deleted pods)`,
      ),
    );
}

/** Metric checks with the readiness failures in place of their clusters' checks. */
export function withReadiness(
  metricChecks: ClusterCheck[],
  readiness: ClusterCheck[],
): ClusterCheck[] {
  const broken = new Set(readiness.map(r => r.cluster));
  return [
    ...metricChecks.filter(c => !broken.has(c.cluster)),
    ...readiness,
  ].sort((a, b) => a.cluster.localeCompare(b.cluster));
}
