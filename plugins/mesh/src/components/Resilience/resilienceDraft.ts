import { TrafficIntent } from '@meshtraffic/backstage-plugin-mesh-common';
import { numberOrUndefined, textOrUndefined } from '../fields/IntentTextField';

/** The resilience settings as the form holds them: text, '' for unset. */
export interface ResilienceDraft {
  timeout: string;
  attempts: string;
  perTryTimeout: string;
  retryOn: string[];
  maxConnections: string;
  http1MaxPendingRequests: string;
  http2MaxRequests: string;
  maxRequestsPerConnection: string;
  consecutive5xxErrors: string;
  interval: string;
  baseEjectionTime: string;
  maxEjectionPercent: string;
  failover: Array<{ from: string; to: string }>;
}

const text = (v: string | number | undefined) =>
  v === undefined ? '' : String(v);

export function draftOfIntent(intent: TrafficIntent): ResilienceDraft {
  const { retries, connectionPool: pool, outlierDetection: od } = intent;
  return {
    timeout: text(intent.timeout),
    attempts: text(retries?.attempts),
    perTryTimeout: text(retries?.perTryTimeout),
    retryOn: retries?.retryOn ?? [],
    maxConnections: text(pool?.tcp?.maxConnections),
    http1MaxPendingRequests: text(pool?.http?.http1MaxPendingRequests),
    http2MaxRequests: text(pool?.http?.http2MaxRequests),
    maxRequestsPerConnection: text(pool?.http?.maxRequestsPerConnection),
    consecutive5xxErrors: text(od?.consecutive5xxErrors),
    interval: text(od?.interval),
    baseEjectionTime: text(od?.baseEjectionTime),
    maxEjectionPercent: text(od?.maxEjectionPercent),
    failover: intent.failover ?? [],
  };
}

/** Drops unset keys, and the whole object when nothing in it is set. */
function compact<T extends object>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}

/** The intent with the draft's settings; fields the draft leaves empty are removed. */
export function intentWithResilience(
  intent: TrafficIntent,
  d: ResilienceDraft,
): TrafficIntent {
  const attempts = numberOrUndefined(d.attempts);
  const retries =
    attempts === undefined
      ? undefined
      : compact({
          attempts,
          perTryTimeout: textOrUndefined(d.perTryTimeout),
          retryOn: d.retryOn.length ? d.retryOn : undefined,
        });
  const tcp = compact({
    maxConnections: numberOrUndefined(d.maxConnections),
    connectTimeout: intent.connectionPool?.tcp?.connectTimeout,
  });
  const http = compact({
    ...intent.connectionPool?.http,
    http1MaxPendingRequests: numberOrUndefined(d.http1MaxPendingRequests),
    http2MaxRequests: numberOrUndefined(d.http2MaxRequests),
    maxRequestsPerConnection: numberOrUndefined(d.maxRequestsPerConnection),
  });
  const outlierDetection = compact({
    ...intent.outlierDetection,
    consecutive5xxErrors: numberOrUndefined(d.consecutive5xxErrors),
    interval: textOrUndefined(d.interval),
    baseEjectionTime: textOrUndefined(d.baseEjectionTime),
    maxEjectionPercent: numberOrUndefined(d.maxEjectionPercent),
  });
  const next: TrafficIntent = {
    ...intent,
    timeout: textOrUndefined(d.timeout),
    retries,
    connectionPool: compact({ tcp, http }),
    outlierDetection,
    failover: d.failover.length ? d.failover : undefined,
  };
  return compact(next)!;
}
