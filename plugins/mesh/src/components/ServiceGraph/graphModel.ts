import {
  GraphEdge,
  ServiceGraph,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** A service as the graph names it: its namespace and name. */
export const peerKey = (p: { namespace: string; service: string }) =>
  `${p.namespace}/${p.service}`;

/** What the catalog says about the service's neighbours, as entity refs. */
export interface DeclaredNeighbours {
  /** Entities declared to call the service (`dependencyOf`, consumers of the APIs it provides). */
  callers: string[];
  /** Entities the service is declared to call (`dependsOn`, providers of the APIs it consumes). */
  callees: string[];
}

/** How an observed peer stands against the catalog. */
export type Declaration = 'declared' | 'undeclared' | 'no-entity';

/** One peer service in one direction, its calls summed over clusters and versions. */
export interface PeerSummary {
  id: string;
  direction: 'inbound' | 'outbound';
  namespace: string;
  service: string;
  entityRef?: string;
  declaration: Declaration;
  requestRate: number;
  /** The share of all its requests answered 5xx, when any edge reported one. */
  errorRate?: number;
  /** The worst p99 among its edges: a sum of percentiles means nothing. */
  p99Ms?: number;
  mtls?: GraphEdge['mtls'];
  clusters: string[];
  principals: string[];
  edges: GraphEdge[];
}

/** A catalog relation nobody was seen using over the window. */
export interface UnobservedRelation {
  direction: 'inbound' | 'outbound';
  entityRef: string;
}

export interface GraphModel {
  peers: PeerSummary[];
  unobserved: UnobservedRelation[];
}

/** mTLS of edges put together: all one way, or `partial` when they disagree. */
function combinedMtls(edges: GraphEdge[]): GraphEdge['mtls'] {
  const seen = new Set(edges.flatMap(e => (e.mtls ? [e.mtls] : [])));
  if (seen.size === 0) return undefined;
  if (seen.size === 1) return [...seen][0];
  return 'partial';
}

function weightedErrorRate(edges: GraphEdge[]): number | undefined {
  const reported = edges.filter(e => e.errorRate !== undefined);
  if (!reported.length) return undefined;
  const total = reported.reduce((n, e) => n + e.requestRate, 0);
  if (total === 0) return 0;
  return reported.reduce((n, e) => n + e.requestRate * e.errorRate!, 0) / total;
}

function maxOf(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.max(...known) : undefined;
}

function declarationOf(
  entityRef: string | undefined,
  declared: string[],
): Declaration {
  if (!entityRef) return 'no-entity';
  return declared.includes(entityRef) ? 'declared' : 'undeclared';
}

function summarise(
  direction: PeerSummary['direction'],
  edges: GraphEdge[],
  entityOf: (key: string) => string | undefined,
  declared: string[],
): PeerSummary[] {
  const byPeer = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    const key = peerKey(edge.peer);
    const list = byPeer.get(key);
    if (list) list.push(edge);
    else byPeer.set(key, [edge]);
  }
  return [...byPeer.entries()].map(([key, peerEdges]) => {
    const entityRef = entityOf(key);
    return {
      id: `${direction}:${key}`,
      direction,
      namespace: peerEdges[0].peer.namespace,
      service: peerEdges[0].peer.service,
      entityRef,
      declaration: declarationOf(entityRef, declared),
      requestRate: peerEdges.reduce((n, e) => n + e.requestRate, 0),
      errorRate: weightedErrorRate(peerEdges),
      p99Ms: maxOf(peerEdges.map(e => e.p99Ms)),
      mtls: combinedMtls(peerEdges),
      clusters: [...new Set(peerEdges.map(e => e.peer.cluster))].sort(),
      principals: [...new Set(peerEdges.flatMap(e => e.principals ?? []))],
      edges: peerEdges,
    };
  });
}

/**
 * The graph as a person reads it: one node per neighbouring service and direction, with its
 * catalog entity and whether the catalog declares the relation; and the declared relations
 * nobody used over the window.
 */
export function graphModel(
  graph: ServiceGraph,
  entityOf: (key: string) => string | undefined,
  declared: DeclaredNeighbours,
): GraphModel {
  const peers = [
    ...summarise('inbound', graph.inbound, entityOf, declared.callers),
    ...summarise('outbound', graph.outbound, entityOf, declared.callees),
  ].sort((a, b) => a.id.localeCompare(b.id));
  const unobserved = (
    direction: PeerSummary['direction'],
    refs: string[],
  ): UnobservedRelation[] => {
    const observed = new Set(
      peers.filter(p => p.direction === direction).map(p => p.entityRef),
    );
    return [...new Set(refs)]
      .filter(ref => !observed.has(ref))
      .sort()
      .map(entityRef => ({ direction, entityRef }));
  };
  return {
    peers,
    unobserved: [
      ...unobserved('inbound', declared.callers),
      ...unobserved('outbound', declared.callees),
    ],
  };
}
