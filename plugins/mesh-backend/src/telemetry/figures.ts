/** What Prometheus says of a host, as the canary analysis reads it. */

/** What Prometheus says of the candidate on one cluster over an interval. */
export interface CandidateFigures {
  cluster: string;
  requests: number;
  /** Percent without a 5xx. */
  successRate?: number;
  /** The analysis' latency percentile, in milliseconds. */
  latencyMs?: number;
}

/** What the callers in one cluster sent to a host over an interval, and how much of it their own proxies failed. */
export interface CallerFailures {
  cluster: string;
  requests: number;
  /** Requests the callers' proxies answered with a 5xx themselves: no upstream was reached. */
  failed: number;
}

/** A figure Prometheus answered with a number (not NaN or ±Inf), else undefined. */
export const finite = (n: number | undefined) =>
  n !== undefined && Number.isFinite(n) ? n : undefined;
