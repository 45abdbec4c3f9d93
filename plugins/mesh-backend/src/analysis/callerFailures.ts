import {
  CanaryAnalysis,
  ClusterCheck,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { CallerFailures } from '../telemetry/figures';

/** The share of requests an analysis tolerates failing: what its success-rate floor leaves (1 % without one). */
function toleratedFailure(analysis: CanaryAnalysis): number {
  return (100 - (analysis.successRateMin ?? 99)) / 100;
}

/**
 * Failed checks for the clusters whose callers' proxies fail more of their requests to the host
 * than the analysis tolerates: Envoy's own 503 (no healthy upstream) when the routing sends a
 * share to a version with no endpoint it can reach. The destination never sees these requests, so
 * the candidate's own figures cannot show them; while a canary routes a share to its candidate,
 * they are the candidate's.
 */
export function callerFailureChecks(
  figures: CallerFailures[],
  analysis: CanaryAnalysis,
  candidate: string,
  host: string,
): ClusterCheck[] {
  const tolerated = toleratedFailure(analysis);
  return figures
    .filter(
      f =>
        f.failed >= 1 &&
        f.requests >= analysis.minRequests &&
        f.failed / f.requests > tolerated,
    )
    .map(f => {
      const share = Math.round((1000 * f.failed) / f.requests) / 10;
      return {
        cluster: f.cluster,
        requests: Math.round(f.requests),
        verdict: 'fail' as const,
        reasons: [
          `${share}% of the requests callers here sent to ${host} failed at their own proxy (${Math.round(
            f.failed,
          )} answered 5xx with no upstream reached): the share routed to ${candidate} finds no healthy endpoint`,
        ],
      };
    });
}

/** Readiness failures first; a cluster they do not name fails on its callers' figures too. */
export function withCallerFailures(
  readiness: ClusterCheck[],
  callers: ClusterCheck[],
): ClusterCheck[] {
  const named = new Set(readiness.map(c => c.cluster));
  return [...readiness, ...callers.filter(c => !named.has(c.cluster))];
}
