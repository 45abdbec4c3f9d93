import {
  GraphEdge,
  ServiceGraph,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { PrometheusClient, Sample } from './PrometheusClient';
import { edgeP99, edgeRate, GraphDirection } from './promql';

const finite = (n: number | undefined) =>
  n !== undefined && Number.isFinite(n) ? n : undefined;

/** The labels that name each end of an edge, by direction. */
const ENDS: Record<
  GraphDirection,
  {
    peer: [string, string, string, string];
    self: [string, string];
    principal: string;
  }
> = {
  inbound: {
    peer: [
      'source_canonical_service',
      'source_workload_namespace',
      'source_canonical_revision',
      'source_cluster',
    ],
    self: ['destination_version', 'destination_cluster'],
    principal: 'source_principal',
  },
  outbound: {
    peer: [
      'destination_canonical_service',
      'destination_service_namespace',
      'destination_version',
      'destination_cluster',
    ],
    self: ['source_canonical_revision', 'source_cluster'],
    principal: 'destination_principal',
  },
};

const MTLS = new Set(['mutual_tls', 'none']);

const edgeOrder = (e: GraphEdge) =>
  [
    e.peer.namespace,
    e.peer.service,
    e.peer.cluster,
    e.peer.version,
    e.self.cluster,
    e.self.version,
  ].join('/');

/**
 * The service's callers and callees over a window, per cluster and version, from Istio's standard
 * metrics: three queries a direction (rate, 5xx rate, p99), each for every cluster at once.
 */
export async function readServiceGraph(
  client: PrometheusClient,
  clusterName: (label: string | undefined) => string,
  host: string,
  window: string,
): Promise<ServiceGraph> {
  const [service, namespace] = host.split('.');
  const [inbound, outbound] = await Promise.all(
    (['inbound', 'outbound'] as const).map(async direction => {
      const [rates, errors, p99s] = await Promise.all([
        client.query(edgeRate(host, direction, window)),
        client.query(edgeRate(host, direction, window, true)),
        client.query(edgeP99(host, direction, window)),
      ]);
      return edges(direction, rates, errors, p99s, clusterName);
    }),
  );
  return { window, service, namespace, inbound, outbound };
}

function edges(
  direction: GraphDirection,
  rates: Sample[],
  errors: Sample[],
  p99s: Sample[],
  clusterName: (label: string | undefined) => string,
): GraphEdge[] {
  // Every label the queries group by, in one key: the three answers share their series' labels.
  const key = (s: Sample) => JSON.stringify(Object.entries(s.metric).sort());
  const errorRate = new Map(errors.map(s => [key(s), s.value]));
  const p99 = new Map(p99s.map(s => [key(s), s.value]));
  const ends = ENDS[direction];
  const label = (s: Sample, name: string) => s.metric[name] || 'unknown';
  return rates
    .filter(s => s.value > 0)
    .map(s => {
      const errorsPerSecond = finite(errorRate.get(key(s))) ?? 0;
      const latency = finite(p99.get(key(s)));
      const principal = label(s, ends.principal);
      const policy = label(s, 'connection_security_policy');
      return {
        self: {
          version: label(s, ends.self[0]),
          cluster: clusterName(s.metric[ends.self[1]]),
        },
        peer: {
          service: label(s, ends.peer[0]),
          namespace: label(s, ends.peer[1]),
          version: label(s, ends.peer[2]),
          cluster: clusterName(s.metric[ends.peer[3]]),
        },
        requestRate: s.value,
        errorRate: errorsPerSecond / s.value,
        ...(latency !== undefined ? { p99Ms: latency } : {}),
        ...(direction === 'inbound'
          ? {
              mtls: MTLS.has(policy)
                ? (policy as 'mutual_tls' | 'none')
                : 'unknown',
            }
          : {}),
        ...(principal !== 'unknown' ? { principal } : {}),
      } satisfies GraphEdge;
    })
    .sort((a, b) => edgeOrder(a).localeCompare(edgeOrder(b)));
}
