import {
  AccessCaller,
  GraphEdge,
  WorkloadIdentity,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * A service that may be let in: seen calling over the window, declared by the catalog, or both;
 * with the callers an access rule would name it by.
 */
export interface Candidate {
  /** `namespace/service`. */
  key: string;
  entityRef?: string;
  /** Requests a second seen over the window, summed over clusters; undefined when not seen. */
  requestRate?: number;
  declared: boolean;
  /** How a rule names it: its service accounts (or a principal of another trust domain). */
  callers: AccessCaller[];
  /** Whether its calls arrived over mutual TLS, as the service's proxies reported; undefined when not seen. */
  mtls?: 'all' | 'none' | 'partly';
  /** Why it cannot be let in by identity, when it cannot. */
  problem?: string;
}

/** Edges' mTLS summed into one answer for a caller. */
function mergeMtls(
  held: Candidate['mtls'],
  edge: string | undefined,
): Candidate['mtls'] {
  const now = edge === 'mutual_tls' ? 'all' : 'none';
  if (edge === 'partial') return 'partly';
  if (held === undefined || held === now) return now;
  return 'partly';
}

/** The caller an access rule names a verified identity by, in this mesh's trust domain or another. */
export function callerOfPrincipal(
  principal: string,
  trustDomain: string,
): AccessCaller {
  const bare = principal.replace(/^spiffe:\/\//, '');
  const m = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(bare);
  return m && m[1] === trustDomain
    ? { serviceAccount: `${m[2]}/${m[3]}` }
    : { principal: bare };
}

/** How a caller reads in a rule: `serviceAccount bookinfo/productpage`. */
export function describeCaller(caller: AccessCaller): string {
  if (caller.serviceAccount) return `service account ${caller.serviceAccount}`;
  if (caller.principal) return `principal ${caller.principal}`;
  return `namespace ${caller.namespace}`;
}

export const sameCaller = (a: AccessCaller, b: AccessCaller) =>
  a.serviceAccount === b.serviceAccount &&
  a.principal === b.principal &&
  a.namespace === b.namespace;

/**
 * The services that may be let in: every caller the telemetry saw (by the identities verified on
 * its calls) and every caller the catalog declares (by the service accounts its pods run as).
 */
export function candidatesOf(
  inbound: GraphEdge[],
  declared: Array<{ entityRef: string; identity?: WorkloadIdentity }>,
  trustDomain: string,
): Candidate[] {
  const byKey = new Map<string, Candidate>();
  const entry = (key: string) => {
    const found = byKey.get(key) ?? { key, declared: false, callers: [] };
    byKey.set(key, found);
    return found;
  };
  const add = (c: Candidate, caller: AccessCaller) => {
    if (!c.callers.some(k => sameCaller(k, caller))) c.callers.push(caller);
  };
  for (const edge of inbound) {
    const c = entry(`${edge.peer.namespace}/${edge.peer.service}`);
    c.requestRate = (c.requestRate ?? 0) + edge.requestRate;
    c.mtls = mergeMtls(c.mtls, edge.mtls);
    for (const p of edge.principals ?? [])
      add(c, callerOfPrincipal(p, trustDomain));
    if (edge.mtls && edge.mtls !== 'mutual_tls')
      c.problem =
        'some of its calls arrive without mutual TLS: no rule can admit those';
  }
  for (const { entityRef, identity } of declared) {
    if (!identity) continue;
    const c = entry(`${identity.namespace}/${identity.service}`);
    c.declared = true;
    c.entityRef = entityRef;
    for (const account of identity.serviceAccounts)
      add(c, { serviceAccount: account });
  }
  for (const c of byKey.values()) {
    if (c.callers.some(k => k.serviceAccount?.endsWith('/default')))
      c.problem ??=
        'runs as its namespace’s default service account: admitting it admits every workload there that has none of its own';
    if (!c.callers.length)
      c.problem ??=
        'no identity seen and no workload found: add it by hand once it runs';
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}
