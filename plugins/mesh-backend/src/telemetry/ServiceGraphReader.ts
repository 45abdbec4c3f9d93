import {
  GraphEdge,
  ServiceGraph,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { finite } from './figures';
import { PrometheusClient, Sample } from './PrometheusClient';
import { edgeIdentities, edgeP99, edgeRate, GraphDirection } from './promql';

type Labels = Record<string, string>;
const label = (m: Labels, name: string) =>
  m[name] && m[name] !== 'unknown' ? m[name] : undefined;

/** Each end of an edge from its series' labels, by direction. */
const ENDS: Record<
  GraphDirection,
  (m: Labels, cluster: (l?: string) => string) => Omit<GraphEdge, 'requestRate'>
> = {
  inbound: (m, cluster) => ({
    self: {
      version: label(m, 'destination_version') ?? 'unknown',
      cluster: cluster(m.destination_cluster),
    },
    peer: {
      service: label(m, 'source_canonical_service') ?? 'unknown',
      namespace: label(m, 'source_workload_namespace') ?? 'unknown',
      version: label(m, 'source_version') ?? 'unknown',
      cluster: cluster(m.source_cluster),
    },
  }),
  outbound: (m, cluster) => ({
    self: {
      version: label(m, 'source_version') ?? 'unknown',
      cluster: cluster(m.source_cluster),
    },
    peer: {
      // A call that reached no callee's proxy has no canonical service: its Service's name.
      service:
        label(m, 'destination_canonical_service') ??
        label(m, 'destination_service_name') ??
        'unknown',
      namespace: label(m, 'destination_service_namespace') ?? 'unknown',
      version: label(m, 'destination_version') ?? 'unknown',
      cluster: cluster(m.destination_cluster),
    },
  }),
};

const edgeKey = (e: Omit<GraphEdge, 'requestRate'>) =>
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
 * metrics: four queries a direction (rate, 5xx rate, p99, and how the calls were secured and by
 * whom), each for every cluster at once.
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
      const answers = await Promise.all([
        client.query(edgeRate(host, direction, window)),
        client.query(edgeRate(host, direction, window, true)),
        client.query(edgeP99(host, direction, window)),
        client.query(edgeIdentities(host, direction, window)),
      ]);
      return edges(direction, answers, clusterName);
    }),
  );
  return { window, service, namespace, inbound, outbound };
}

function edges(
  direction: GraphDirection,
  [rates, errors, p99s, identities]: Sample[][],
  clusterName: (label: string | undefined) => string,
): GraphEdge[] {
  const ends = (s: Sample) => ENDS[direction](s.metric, clusterName);
  const byEdge = (
    samples: Sample[],
    combine: (a: number, b: number) => number,
  ) => {
    const found = new Map<string, number>();
    for (const s of samples) {
      const key = edgeKey(ends(s));
      if (finite(s.value) !== undefined)
        found.set(
          key,
          found.has(key) ? combine(found.get(key)!, s.value) : s.value,
        );
    }
    return found;
  };
  // Rates add up; of two percentiles for one edge the larger is kept (no exact merge exists).
  const errorRate = byEdge(errors, (a, b) => a + b);
  const p99 = byEdge(p99s, Math.max);
  const security = securityOf(direction, identities, s => edgeKey(ends(s)));
  const found = new Map<string, GraphEdge>();
  for (const s of rates) {
    const edge = ends(s);
    const key = edgeKey(edge);
    // Series that name the same ends (a label this reader ignores) are one edge.
    const rate = (found.get(key)?.requestRate ?? 0) + (finite(s.value) ?? 0);
    found.set(key, { ...edge, requestRate: rate });
  }
  return [...found.entries()]
    .filter(([, e]) => e.requestRate > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, e]) => ({
      ...e,
      errorRate: Math.min(1, (errorRate.get(key) ?? 0) / e.requestRate),
      ...(p99.has(key) ? { p99Ms: p99.get(key) } : {}),
      ...security.get(key),
    }));
}

/**
 * Per edge: inbound, whether its calls arrived over mutual TLS (all, none or some, as the
 * receiving proxy says), and the identities verified, inbound the callers', outbound the callees'
 * (the callee's certificate as the calling proxy verified it).
 */
function securityOf(
  direction: GraphDirection,
  samples: Sample[],
  keyOf: (s: Sample) => string,
) {
  const seen = new Map<
    string,
    { policies: Set<string>; principals: Set<string> }
  >();
  for (const s of samples) {
    if (!(s.value > 0)) continue;
    const key = keyOf(s);
    const entry = seen.get(key) ?? {
      policies: new Set(),
      principals: new Set(),
    };
    seen.set(key, entry);
    entry.policies.add(
      label(s.metric, 'connection_security_policy') ?? 'unknown',
    );
    const principal = label(
      s.metric,
      direction === 'inbound' ? 'source_principal' : 'destination_principal',
    );
    if (principal) entry.principals.add(principal);
  }
  const mtlsOf = (policies: Set<string>): GraphEdge['mtls'] => {
    if (policies.size > 1)
      return policies.has('mutual_tls') ? 'partial' : 'unknown';
    const [only] = policies;
    return only === 'mutual_tls' || only === 'none' ? only : 'unknown';
  };
  return new Map(
    [...seen].map(([key, { policies, principals }]) => [
      key,
      {
        ...(direction === 'inbound' ? { mtls: mtlsOf(policies) } : {}),
        ...(principals.size ? { principals: [...principals].sort() } : {}),
      },
    ]),
  );
}
