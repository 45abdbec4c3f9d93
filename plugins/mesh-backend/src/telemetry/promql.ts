/**
 * PromQL on Istio's standard metrics, in the style Flagger uses: one query per figure for every
 * cluster and version of a host at once, grouped by the labels Istio's proxies set. What the
 * destination's proxy reports (`reporter="destination"`) says how a version behaves; what the
 * callers' proxies report (`reporter="source"`) says where the callers' config sent them.
 */

/** A label value in a PromQL string literal. */
const quoted = (value: string) =>
  `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A range duration Prometheus accepts, e.g. 30s, 5m, 1h: the one the request schema checks. */
export { METRICS_WINDOW as WINDOW } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The series of a host's workloads, by their canonical service (the app label) and namespace, not
 * by `destination_service`: through an HTTPRoute (Gateway API, GAMMA) Envoy's destination is a
 * version Service (`reviews-v1`), and the series carry that Service's host; the workloads'
 * canonical service is the same whichever Service routed the request.
 */
function selector(
  host: string,
  reporter: 'source' | 'destination',
  extra = '',
) {
  const [service, namespace] = host.split('.');
  return `{reporter=${quoted(reporter)},destination_service_namespace=${quoted(
    namespace,
  )},destination_canonical_service=${quoted(service)}${extra}}`;
}

const BY_VERSION = 'destination_cluster, destination_version';

/** Requests per second each version receives, per cluster. */
export function requestRate(host: string, window: string) {
  return `sum by (${BY_VERSION}) (rate(istio_requests_total${selector(
    host,
    'destination',
  )}[${window}]))`;
}

/** The share of each version's requests that did not fail with a 5xx, per cluster. */
export function successRate(host: string, window: string) {
  const ok = `sum by (${BY_VERSION}) (rate(istio_requests_total${selector(
    host,
    'destination',
    ',response_code!~"5.."',
  )}[${window}]))`;
  return `${ok} / ${requestRate(host, window)}`;
}

/** A latency percentile (0.5, 0.99) of each version, per cluster, in milliseconds. */
export function latencyPercentile(
  host: string,
  window: string,
  quantile: number,
) {
  return `histogram_quantile(${quantile}, sum by (le, ${BY_VERSION}) (rate(istio_request_duration_milliseconds_bucket${selector(
    host,
    'destination',
  )}[${window}])))`;
}

/** Requests per second the callers in each cluster send to each version: what their config does. */
export function callerRate(host: string, window: string) {
  return `sum by (source_cluster, destination_version) (rate(istio_requests_total${selector(
    host,
    'source',
  )}[${window}]))`;
}

/** Requests per second to each version, all clusters together: the chart's series. */
export function versionRate(host: string, rateWindow: string) {
  return `sum by (destination_version) (rate(istio_requests_total${selector(
    host,
    'destination',
  )}[${rateWindow}]))`;
}

/** Requests each version received on each cluster over the window: an analysis' sample size. */
export function requestCount(host: string, window: string) {
  return `sum by (${BY_VERSION}) (increase(istio_requests_total${selector(
    host,
    'destination',
  )}[${window}]))`;
}

/**
 * Requests the callers' proxies answered themselves with a 5xx, per calling cluster: Envoy's own
 * 503 when the version it was routed to has no healthy endpoint (UH, NR). No destination proxy
 * saw them, so only `reporter="source"` has them, with no destination version.
 */
export function callerLocalFailures(host: string, window: string) {
  return `sum by (source_cluster) (increase(istio_requests_total${selector(
    host,
    'source',
    ',destination_version="unknown",response_code=~"5.."',
  )}[${window}]))`;
}

/** Requests the callers in each cluster sent to the host over the window, as their proxies count them. */
export function callerRequests(host: string, window: string) {
  return `sum by (source_cluster) (increase(istio_requests_total${selector(
    host,
    'source',
  )}[${window}]))`;
}

/** Who calls the host and whom it calls: the figures of the service graph, by these labels. */
export type GraphDirection = 'inbound' | 'outbound';

/**
 * The labels naming both ends of an edge. Outbound, the callee's canonical service is known only
 * from its proxy's metadata, so `destination_service_name` is kept too for calls that never
 * reached one (Envoy's own 503, a host outside the mesh).
 */
const EDGE_BY: Record<GraphDirection, string> = {
  inbound:
    'source_canonical_service, source_workload_namespace, source_version, source_cluster, destination_version, destination_cluster',
  outbound:
    'destination_canonical_service, destination_service_name, destination_service_namespace, destination_version, destination_cluster, source_version, source_cluster',
};

/** Per edge, how its calls were secured and whom they were from (inbound) or to (outbound). */
const IDENTITY_BY: Record<GraphDirection, string> = {
  inbound: 'connection_security_policy, source_principal',
  outbound: 'destination_principal',
};

function graphSelector(host: string, direction: GraphDirection, extra = '') {
  if (direction === 'inbound') return selector(host, 'destination', extra);
  const [service, namespace] = host.split('.');
  return `{reporter="source",source_workload_namespace=${quoted(
    namespace,
  )},source_canonical_service=${quoted(service)}${extra}}`;
}

/** Requests per second on each edge of the host's graph in one direction (or only those answered 5xx). */
export function edgeRate(
  host: string,
  direction: GraphDirection,
  window: string,
  onlyErrors = false,
) {
  return `sum by (${
    EDGE_BY[direction]
  }) (rate(istio_requests_total${graphSelector(
    host,
    direction,
    onlyErrors ? ',response_code=~"5.."' : '',
  )}[${window}]))`;
}

/** Each edge's requests per second by how they were secured and by the verified identity. */
export function edgeIdentities(
  host: string,
  direction: GraphDirection,
  window: string,
) {
  return `sum by (${EDGE_BY[direction]}, ${
    IDENTITY_BY[direction]
  }) (rate(istio_requests_total${graphSelector(host, direction)}[${window}]))`;
}

/** The 99th latency percentile of each edge, in milliseconds. */
export function edgeP99(
  host: string,
  direction: GraphDirection,
  window: string,
) {
  return `histogram_quantile(0.99, sum by (le, ${
    EDGE_BY[direction]
  }) (rate(istio_request_duration_milliseconds_bucket${graphSelector(
    host,
    direction,
  )}[${window}])))`;
}

/** The sidecars' containers as cAdvisor reports them (a pod's own series carry container="" or "POD"). */
const PROXY_CONTAINER = '{container="istio-proxy"}';

/**
 * CPU the proxies use now, in cores, per cluster: each counter's last two samples (irate), so a
 * proxy just started counts at once, not averaged over a window it did not run for.
 */
export const proxyCpu = () =>
  `sum by (cluster) (irate(container_cpu_usage_seconds_total${PROXY_CONTAINER}[5m]))`;

/** Memory the proxies hold now (working set, what the kubelet evicts by), per cluster. */
export const proxyMemory = () =>
  `sum by (cluster) (container_memory_working_set_bytes${PROXY_CONTAINER})`;

/** How many proxies report, per cluster. */
export const proxyCount = () =>
  `count by (cluster) (container_memory_working_set_bytes${PROXY_CONTAINER})`;

/** The clusters whose proxies reported any request as its destination over the window. */
export const reportingClusters = (window: string) =>
  `group by (destination_cluster) (last_over_time(istio_requests_total{reporter="destination"}[${window}]))`;
