/**
 * How Envoy routes a plain request to a host whose Service has an HTTPRoute attached (Gateway
 * API for mesh traffic, GAMMA): the rule that matches every request, its weighted backends (each a
 * Service, whose selector names the version it reaches) and its RequestMirror filter.
 */
import { Endpoint, fqdn, RouteShare } from './routing';

type KubeObject = Record<string, any>;

/** A match a plain request (no headers, no query, any path) satisfies. */
const matchesPlain = (m: KubeObject) =>
  !m.headers?.length &&
  !m.queryParams?.length &&
  (!m.method || m.method === 'GET') &&
  (!m.path ||
    ((m.path.type ?? 'PathPrefix') === 'PathPrefix' &&
      (m.path.value ?? '/') === '/'));

/** Whether an HTTPRoute is attached to the Service of `host` (its parentRefs name it). */
function attachedTo(route: KubeObject, host: string) {
  const ns = route.metadata?.namespace;
  return (route.spec?.parentRefs ?? []).some(
    (p: KubeObject) =>
      (p.group ?? '') === '' &&
      p.kind === 'Service' &&
      fqdn(p.name, p.namespace ?? ns) === host,
  );
}

/** The rule of the HTTPRoute on `host` (the first by name) that a plain request takes, if one is attached. */
export function gammaRule(
  host: string,
  httpRoutes: KubeObject[],
): { rule?: KubeObject; namespace: string } | undefined {
  const route = httpRoutes
    .filter(r => attachedTo(r, host))
    .sort((a, b) =>
      String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
    )[0];
  if (!route) return undefined;
  const rule = (route.spec?.rules ?? []).find(
    (r: KubeObject) => !r.matches?.length || r.matches.some(matchesPlain),
  );
  return { rule, namespace: route.metadata?.namespace };
}

/** The version a backend Service's selector picks: its `version` (or app.kubernetes.io/version) label. */
function backendVersion(
  ref: KubeObject,
  namespace: string,
  services: KubeObject[],
): string | undefined {
  const ns = ref.namespace ?? namespace;
  const service = services.find(
    s => s.metadata?.name === ref.name && s.metadata?.namespace === ns,
  );
  const selector = service?.spec?.selector ?? {};
  return selector.version ?? selector['app.kubernetes.io/version'];
}

/** The endpoints one backend reaches, as shares carrying the backend's own host. */
function backendShares(
  ref: KubeObject,
  share: number,
  namespace: string,
  services: KubeObject[],
  endpoints: Endpoint[],
): RouteShare[] {
  const version = backendVersion(ref, namespace, services);
  const reached = endpoints.filter(e => e.version === version && e.ready > 0);
  const total = reached.reduce((n, e) => n + e.ready, 0);
  // A backend Service that is missing or selects no ready pod: Envoy answers 500 for its share.
  if (!total) return [{ share, localStatus: 500, responseFlags: 'NR' }];
  const service = fqdn(ref.name, ref.namespace ?? namespace);
  return reached.map(e => ({
    share: (share * e.ready) / total,
    version: e.version,
    cluster: e.cluster,
    service,
  }));
}

/** The shares of a plain request over the rule's weighted backends (weight 1 each when unset). */
export function gammaShares(
  rule: KubeObject,
  namespace: string,
  services: KubeObject[],
  endpoints: Endpoint[],
): RouteShare[] {
  const refs: KubeObject[] = rule.backendRefs ?? [];
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  if (!total) return [{ share: 1, localStatus: 500, responseFlags: 'NR' }];
  return refs.flatMap(r =>
    (r.weight ?? 1) > 0
      ? backendShares(
          r,
          (r.weight ?? 1) / total,
          namespace,
          services,
          endpoints,
        )
      : [],
  );
}

/** The rule's RequestMirror: the fraction of requests copied, and where the copies go. */
export function gammaMirror(
  rule: KubeObject,
  namespace: string,
  services: KubeObject[],
  endpoints: Endpoint[],
): { fraction: number; shares: RouteShare[] } | undefined {
  const mirror = (rule.filters ?? []).find(
    (f: KubeObject) => f.type === 'RequestMirror',
  )?.requestMirror;
  if (!mirror) return undefined;
  const shares = backendShares(
    mirror.backendRef,
    1,
    namespace,
    services,
    endpoints,
  ).filter(s => s.version);
  if (!shares.length) return undefined;
  const fraction = mirror.fraction
    ? mirror.fraction.numerator / (mirror.fraction.denominator ?? 100)
    : (mirror.percent ?? 100) / 100;
  return { fraction, shares };
}
