/**
 * How Envoy in a caller's cluster routes one request to a host, from the VirtualServices and
 * DestinationRules that configure that cluster: the share of requests per destination version and
 * cluster, and what faults do to them. Kept to what the demo's callers exercise: plain requests (no
 * headers), so routes with a match are passed over and the first route without one is taken.
 */

import { gammaMirror, gammaRule, gammaShares } from './gammaRouting';

type KubeObject = Record<string, any>;

/** Where a version runs, and how many ready replicas it has there (endpoints are chosen evenly). */
export interface Endpoint {
  version: string;
  cluster: string;
  ready: number;
}

/** One outcome of a request and its share of all requests from the caller to the host. */
export interface RouteShare {
  share: number;
  /** The destination; absent when no endpoint receives the request (a fault abort, no route). */
  version?: string;
  cluster?: string;
  /** The status the source sees when Envoy answers itself: a fault's abort (FI) or a missing subset (NR). */
  localStatus?: number;
  responseFlags?: 'FI' | 'NR' | 'DI';
  /** Milliseconds a fault's delay adds. */
  delayMs?: number;
  /** The Service that received it, when not the host's own (an HTTPRoute's backend). */
  service?: string;
}

export function fqdn(host: string, namespace: string): string {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length === 1) return `${parts[0]}.${namespace}.svc.cluster.local`;
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc'))
    return `${parts[0]}.${parts[1]}.svc.cluster.local`;
  return parts.join('.');
}

function durationMs(text: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text ?? '');
  if (!m) return 0;
  return (
    Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms']!
  );
}

const percentOf = (p: { value?: number } | undefined, fallback = 100) =>
  (p?.value ?? fallback) / 100;

/** Endpoints of some versions, each cluster's share proportional to its ready replicas. */
function spread(
  endpoints: Endpoint[],
  share: number,
  extra: Partial<RouteShare> = {},
): RouteShare[] {
  const total = endpoints.reduce((n, e) => n + e.ready, 0);
  if (!total) return [{ share, localStatus: 503, responseFlags: 'NR' }];
  return endpoints
    .filter(e => e.ready > 0)
    .map(e => ({
      share: (share * e.ready) / total,
      version: e.version,
      cluster: e.cluster,
      ...extra,
    }));
}

/** The version a DestinationRule's subset selects, when the rule defines it. */
function subsetVersion(
  rules: KubeObject[],
  host: string,
  subset: string,
): string | undefined {
  for (const dr of rules) {
    if (fqdn(dr.spec?.host ?? '', dr.metadata?.namespace) !== host) continue;
    const found = (dr.spec?.subsets ?? []).find(
      (s: KubeObject) => s.name === subset,
    );
    // The subset selects a version by its one label other than the cluster's, whatever its key.
    if (found)
      return Object.entries(found.labels ?? {}).find(
        ([key]) => key !== 'topology.istio.io/cluster',
      )?.[1] as string | undefined;
  }
  return undefined;
}

/** The weighted destinations of one HTTP route, before faults. */
function destinations(
  route: KubeObject,
  host: string,
  rules: KubeObject[],
  endpoints: Endpoint[],
): RouteShare[] {
  const targets: KubeObject[] = route.route ?? [];
  const total =
    targets.reduce(
      (n, t) => n + (t.weight ?? (targets.length === 1 ? 100 : 0)),
      0,
    ) || 1;
  return targets.flatMap(t => {
    const share = (t.weight ?? (targets.length === 1 ? 100 : 0)) / total;
    if (!share) return [];
    const subset = t.destination?.subset;
    if (!subset) return spread(endpoints, share);
    const version = subsetVersion(rules, host, subset);
    // A route to a subset no DestinationRule defines: Envoy has no cluster for it.
    if (!version)
      return [{ share, localStatus: 503, responseFlags: 'NR' as const }];
    return spread(
      endpoints.filter(e => e.version === version),
      share,
    );
  });
}

/** A route's fault: the aborted share answered by Envoy, a delayed share later, the rest as it was. */
function withFault(route: KubeObject, shares: RouteShare[]): RouteShare[] {
  const abort = route.fault?.abort;
  const delay = route.fault?.delay;
  const aborted = abort ? percentOf(abort.percentage) : 0;
  const delayed = delay ? percentOf(delay.percentage) : 0;
  const out: RouteShare[] = [];
  if (aborted)
    out.push({
      share: aborted,
      localStatus: abort.httpStatus ?? 503,
      responseFlags: 'FI',
    });
  for (const s of shares) {
    const rest = s.share * (1 - aborted);
    if (delayed)
      out.push({
        ...s,
        share: rest * delayed,
        delayMs: durationMs(delay.fixedDelay),
        responseFlags: s.responseFlags ?? 'DI',
      });
    if (rest * (1 - delayed) > 0)
      out.push({ ...s, share: rest * (1 - delayed) });
  }
  return out.filter(s => s.share > 0);
}

export type RoutingObjects = {
  virtualServices: KubeObject[];
  destinationRules: KubeObject[];
  /** Gateway API routes, which take a host whose Service they are attached to (GAMMA). */
  httpRoutes?: KubeObject[];
  services?: KubeObject[];
};

/** The VirtualService for a host (the first by name, as Istio merges none) and its plain route. */
function plainRoute(target: string, objects: RoutingObjects) {
  const vs = objects.virtualServices
    .filter(v =>
      (v.spec?.hosts ?? []).some(
        (h: string) => fqdn(h, v.metadata?.namespace) === target,
      ),
    )
    .sort((a, b) =>
      String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
    )[0];
  if (!vs) return undefined;
  return {
    route: (vs.spec?.http ?? []).find((r: KubeObject) => !r.match?.length) as
      | KubeObject
      | undefined,
  };
}

/**
 * The shares of a plain request from `namespace` to `host`, as the routing objects of the caller's
 * config cluster route it: an HTTPRoute attached to the host's Service if there is one, else its
 * VirtualService. Without either, every endpoint of the service takes its part.
 */
export function routeShares(
  host: string,
  namespace: string,
  objects: RoutingObjects,
  endpoints: Endpoint[],
): RouteShare[] {
  const target = fqdn(host, namespace);
  const gamma = gammaRule(target, objects.httpRoutes ?? []);
  if (gamma) {
    if (!gamma.rule)
      return [{ share: 1, localStatus: 404, responseFlags: 'NR' }];
    return gammaShares(
      gamma.rule,
      gamma.namespace,
      objects.services ?? [],
      endpoints,
    );
  }
  const found = plainRoute(target, objects);
  if (!found) return spread(endpoints, 1);
  const { route } = found;
  if (!route) return [{ share: 1, localStatus: 404, responseFlags: 'NR' }];
  return withFault(
    route,
    destinations(route, target, objects.destinationRules, endpoints),
  );
}

/**
 * Where the plain route mirrors a copy of its requests, and for which fraction of them: Envoy
 * sends the copy without waiting for it, so only the shadow's own proxy reports it.
 */
export function routeMirror(
  host: string,
  namespace: string,
  objects: RoutingObjects,
  endpoints: Endpoint[],
): { fraction: number; shares: RouteShare[] } | undefined {
  const target = fqdn(host, namespace);
  const gamma = gammaRule(target, objects.httpRoutes ?? []);
  if (gamma)
    return gamma.rule
      ? gammaMirror(
          gamma.rule,
          gamma.namespace,
          objects.services ?? [],
          endpoints,
        )
      : undefined;
  const route = plainRoute(target, objects)?.route;
  if (!route?.mirror) return undefined;
  const shares = destinations(
    { route: [{ destination: route.mirror, weight: 100 }] },
    target,
    objects.destinationRules,
    endpoints,
  ).filter(s => s.version);
  if (!shares.length) return undefined;
  return { fraction: percentOf(route.mirrorPercentage), shares };
}
