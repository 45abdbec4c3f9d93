import {
  Canary,
  Destination,
  Fault,
  LoadBalancer,
  Mirror,
  Retries,
  RouteMatch,
  StringMatch,
  TrafficIntent,
  TrafficRoute,
} from '../intent/schema';
import {
  DestinationRuleObject,
  IstioDestination,
  IstioHttpMatch,
  IstioHttpRoute,
  IstioStringMatch,
  TrafficPolicy,
  VirtualServiceObject,
} from '../generate/istioTypes';
import {
  CANARY_ANNOTATION,
  CLUSTER_LABEL,
  VERSION_LABEL,
} from '../generate/metadata';

/** @public */
export class RoutingParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutingParseError';
  }
}

type SubsetTable = Map<string, { version: string; cluster?: string }>;

function subsetTable(
  dr: DestinationRuleObject,
  versionLabel: string,
): SubsetTable {
  const table: SubsetTable = new Map();
  for (const subset of dr.spec.subsets ?? []) {
    const labels = subset.labels ?? {};
    const version = labels[versionLabel];
    const extra = Object.keys(labels).filter(
      k => k !== versionLabel && k !== CLUSTER_LABEL,
    );
    if (!version || extra.length) {
      throw new RoutingParseError(
        `subset ${subset.name} selects pods by ${
          Object.keys(labels).join(', ') || 'nothing'
        }; only ${versionLabel} and ${CLUSTER_LABEL} can be expressed as an intent`,
      );
    }
    const cluster = labels[CLUSTER_LABEL];
    table.set(subset.name, cluster ? { version, cluster } : { version });
  }
  return table;
}

function destination(table: SubsetTable, d: IstioDestination, where: string) {
  if (!d.subset)
    throw new RoutingParseError(
      `${where} routes to the whole service, not to a version subset`,
    );
  const ref = table.get(d.subset);
  if (!ref)
    throw new RoutingParseError(
      `${where} routes to subset ${d.subset}, which the DestinationRule does not define`,
    );
  return ref;
}

function stringMatch(m: IstioStringMatch): StringMatch {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex ?? '' };
}

function routeMatch(m: IstioHttpMatch): RouteMatch {
  const { headers, uri, method, queryParams, sourceLabels, ...rest } = m;
  const unsupported = Object.keys(rest).filter(k => rest[k] !== undefined);
  if (unsupported.length)
    throw new RoutingParseError(
      `a match uses ${unsupported.join(', ')}, which an intent cannot express`,
    );
  const out: RouteMatch = {};
  if (headers) {
    out.headers = {};
    for (const [name, value] of Object.entries(headers))
      out.headers[name] = stringMatch(value);
  }
  if (uri) out.uri = stringMatch(uri);
  if (method) out.method = stringMatch(method);
  if (queryParams) {
    out.queryParams = {};
    for (const [name, value] of Object.entries(queryParams))
      out.queryParams[name] = stringMatch(value);
  }
  if (sourceLabels) {
    const keys = Object.keys(sourceLabels);
    if (keys.length !== 1 || !sourceLabels[CLUSTER_LABEL]) {
      throw new RoutingParseError(
        `a match on sourceLabels ${keys.join(
          ', ',
        )} cannot be expressed; only ${CLUSTER_LABEL}`,
      );
    }
    out.sourceCluster = sourceLabels[CLUSTER_LABEL];
  }
  return out;
}

interface RouteParts {
  split: Destination[];
  fault?: Fault;
  timeout?: string;
  retries?: Retries;
  mirror?: Mirror;
}

function routeParts(
  table: SubsetTable,
  r: IstioHttpRoute,
  where: string,
): RouteParts {
  const known = [
    'name',
    'match',
    'route',
    'fault',
    'timeout',
    'retries',
    'mirror',
    'mirrorPercentage',
  ];
  const unsupported = Object.keys(r).filter(
    k => !known.includes(k) && r[k] !== undefined,
  );
  if (unsupported.length)
    throw new RoutingParseError(
      `${where} uses ${unsupported.join(', ')}, which an intent cannot express`,
    );
  if (!r.route?.length)
    throw new RoutingParseError(`${where} has no destinations`);
  const parts: RouteParts = {
    split: r.route.map(dest => ({
      ...destination(table, dest.destination, where),
      weight: dest.weight ?? (r.route!.length === 1 ? 100 : 0),
    })),
  };
  if (r.fault) {
    const fault: Fault = {};
    if (r.fault.delay) {
      fault.delay = {
        fixed: r.fault.delay.fixedDelay ?? '',
        percent: r.fault.delay.percentage?.value ?? 100,
      };
    }
    if (r.fault.abort) {
      fault.abort = {
        httpStatus: r.fault.abort.httpStatus ?? 0,
        percent: r.fault.abort.percentage?.value ?? 100,
      };
    }
    parts.fault = fault;
  }
  if (r.timeout !== undefined) parts.timeout = r.timeout;
  if (r.retries) {
    const retries: Retries = { attempts: r.retries.attempts ?? 0 };
    if (r.retries.perTryTimeout !== undefined)
      retries.perTryTimeout = r.retries.perTryTimeout;
    if (r.retries.retryOn !== undefined)
      retries.retryOn = r.retries.retryOn.split(',').filter(Boolean);
    parts.retries = retries;
  }
  if (r.mirror) {
    parts.mirror = {
      ...destination(table, r.mirror, `${where} mirror`),
      percent: r.mirrorPercentage?.value ?? 100,
    };
  }
  return parts;
}

/**
 * The canary an object's annotation carries: what a spec cannot say.
 *
 * @public
 */
export function canaryFrom(obj: {
  metadata: { annotations?: Record<string, string> };
}): Canary | undefined {
  const raw = obj.metadata.annotations?.[CANARY_ANNOTATION];
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw);
    return {
      baseline: c.baseline,
      candidate: c.candidate,
      steps: c.steps,
      step: c.step,
      ...(c.analysis ? { analysis: c.analysis } : {}),
      ...(c.auto !== undefined ? { auto: c.auto } : {}),
    };
  } catch {
    throw new RoutingParseError(
      `annotation ${CANARY_ANNOTATION} is not valid JSON`,
    );
  }
}

/** The intent's loadBalancer, failover and locality from a DestinationRule's loadBalancer. */
function loadBalancerParts(
  lb: NonNullable<TrafficPolicy['loadBalancer']>,
): Pick<TrafficIntent, 'loadBalancer' | 'failover' | 'locality'> {
  const { localityLbSetting, simple, consistentHash, ...rest } = lb;
  const { enabled, failover, distribute, failoverPriority, ...other } =
    localityLbSetting ?? {};
  const unsupported = [...Object.entries(rest), ...Object.entries(other)]
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  if (unsupported.length || enabled === false)
    throw new RoutingParseError(
      `loadBalancer uses ${
        unsupported.join(', ') || 'a disabled localityLbSetting'
      }, which an intent cannot express`,
    );
  const parts: Pick<TrafficIntent, 'loadBalancer' | 'failover' | 'locality'> =
    {};
  if (simple || consistentHash)
    parts.loadBalancer = {
      ...(simple ? { simple: simple as LoadBalancer['simple'] } : {}),
      ...(consistentHash
        ? {
            consistentHash: structuredClone(
              consistentHash,
            ) as LoadBalancer['consistentHash'],
          }
        : {}),
    };
  if (failover)
    parts.failover = failover.map(f => ({ from: f.from, to: f.to }));
  if (distribute || failoverPriority)
    parts.locality = {
      ...(distribute
        ? {
            distribute: distribute.map(d => ({
              from: d.from,
              to: { ...d.to },
            })),
          }
        : {}),
      ...(failoverPriority ? { failoverPriority: [...failoverPriority] } : {}),
    };
  return parts;
}

/**
 * The intent's connection pool, outlier detection and load balancing, from a DestinationRule's trafficPolicy.
 *
 * @public
 */
export function trafficPolicyParts(
  policy: TrafficPolicy | undefined,
): Partial<TrafficIntent> {
  if (!policy) return {};
  const { connectionPool, outlierDetection, loadBalancer, ...rest } = policy;
  const unsupported = Object.keys(rest).filter(k => rest[k] !== undefined);
  if (unsupported.length)
    throw new RoutingParseError(
      `trafficPolicy uses ${unsupported.join(
        ', ',
      )}, which an intent cannot express`,
    );
  const parts: Partial<TrafficIntent> = {};
  if (connectionPool)
    parts.connectionPool = connectionPool as TrafficIntent['connectionPool'];
  if (outlierDetection)
    parts.outlierDetection =
      outlierDetection as TrafficIntent['outlierDetection'];
  if (loadBalancer) Object.assign(parts, loadBalancerParts(loadBalancer));
  return parts;
}

/**
 * The intent a VirtualService and DestinationRule express. Exact for objects this product
 * generated (parse(generate(i)) equals i); for hand-written or foreign objects it succeeds when
 * they use only what an intent can say, which is how a user adopts existing routing, and throws a
 * RoutingParseError naming what it cannot express otherwise.
 *
 * @public
 */
export function parseRouting(
  vs: VirtualServiceObject,
  dr: DestinationRuleObject,
  versionLabel = VERSION_LABEL,
): TrafficIntent {
  const table = subsetTable(dr, versionLabel);
  const http = vs.spec.http ?? [];
  const { tcp, tls, gateways } = vs.spec as Record<
    string,
    unknown[] | undefined
  >;
  if (tcp?.length || tls?.length)
    throw new RoutingParseError(
      'the VirtualService routes tcp or tls traffic, which an intent cannot express',
    );
  if (gateways?.length)
    throw new RoutingParseError(
      'the VirtualService is bound to gateways; an intent routes mesh traffic only',
    );
  const last = http[http.length - 1];
  if (!last || last.match?.length) {
    throw new RoutingParseError(
      'the VirtualService has no default (match-all) HTTP route as its last route',
    );
  }
  const routes: TrafficRoute[] = http.slice(0, -1).map((r, i) => {
    const where = `http[${i}]`;
    if (!r.match?.length)
      throw new RoutingParseError(
        `${where} matches everything but is not the last route`,
      );
    return {
      name: r.name ?? `route-${i}`,
      match: r.match.map(routeMatch),
      ...routeParts(table, r, where),
    };
  });
  const intent: TrafficIntent = routeParts(
    table,
    last,
    `http[${http.length - 1}]`,
  );
  if (routes.length) intent.routes = routes;

  Object.assign(intent, trafficPolicyParts(dr.spec.trafficPolicy));
  const canary = canaryFrom(vs);
  if (canary) intent.canary = canary;
  return intent;
}
