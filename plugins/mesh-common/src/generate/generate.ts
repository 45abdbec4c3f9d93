import {
  Destination,
  Fault,
  Mirror,
  Retries,
  RouteMatch,
  StringMatch,
  TrafficIntent,
} from '../intent/schema';
import { MeshTarget } from '../entity/target';
import { intentHash } from './hash';
import {
  DestinationRuleObject,
  IstioHttpMatch,
  IstioHttpRoute,
  IstioStringMatch,
  ObjectMeta,
  RoutingObject,
  TrafficPolicy,
  VirtualServiceObject,
} from './istioTypes';
import {
  CANARY_ANNOTATION,
  CLUSTER_LABEL,
  DEFAULT_ROUTE_NAME,
  ENTITY_REF_ANNOTATION,
  INTENT_HASH_ANNOTATION,
  ISTIO_API_VERSION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from './metadata';
import { referencedSubsets, subsetLabels, subsetName } from './subsets';
import { generateAccess } from './access';

/**
 * The fully qualified host Istio routes for a Kubernetes service.
 *
 * @public
 */
export function serviceHost(
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): string {
  return `${target.service}.${target.namespace}.svc.cluster.local`;
}

/**
 * A host as Istio resolves it in an object of `namespace`: `reviews` is that namespace's service,
 * `reviews.bookinfo` and `reviews.bookinfo.svc` are short for the full name; anything else is
 * taken as written.
 *
 * @public
 */
export function resolveHost(
  host: string,
  namespace: string | undefined,
): string {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length === 1)
    return serviceHost({
      service: parts[0],
      namespace: namespace ?? 'default',
    });
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc'))
    return serviceHost({ service: parts[0], namespace: parts[1] });
  return parts.join('.');
}

/** @public */
export function sortedRecord<T>(
  record: Record<string, T>,
  map: (v: T) => unknown = v => v,
) {
  const out: Record<string, any> = {};
  for (const key of Object.keys(record).sort()) out[key] = map(record[key]);
  return out;
}

/**
 * Each object gets its own metadata, so that a caller changing one never changes the other.
 *
 * @public
 */
export function copyMetadata(meta: ObjectMeta): ObjectMeta {
  return {
    ...meta,
    labels: { ...meta.labels },
    annotations: { ...meta.annotations },
  };
}

/**
 * The labels and annotations every generated object carries, under the service's name.
 *
 * @public
 */
export function metadata(
  target: MeshTarget,
  intent: TrafficIntent,
): ObjectMeta {
  const annotations: Record<string, string> = {
    [ENTITY_REF_ANNOTATION]: target.entityRef,
    [INTENT_HASH_ANNOTATION]: intentHash(intent),
  };
  if (intent.canary) {
    const { baseline, candidate, steps, step, analysis, auto } = intent.canary;
    annotations[CANARY_ANNOTATION] = JSON.stringify({
      baseline,
      candidate,
      steps,
      step,
      ...(analysis ? { analysis } : {}),
      ...(auto !== undefined ? { auto } : {}),
    });
  }
  return {
    name: target.service,
    namespace: target.namespace,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    annotations: sortedRecord(annotations),
  };
}

function stringMatch(m: StringMatch): IstioStringMatch {
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  return { regex: m.regex ?? '' };
}

function httpMatch(m: RouteMatch): IstioHttpMatch {
  const out: IstioHttpMatch = {};
  if (m.headers) out.headers = sortedRecord(m.headers, stringMatch);
  if (m.method) out.method = stringMatch(m.method);
  if (m.sourceCluster) out.sourceLabels = { [CLUSTER_LABEL]: m.sourceCluster };
  if (m.uri) out.uri = stringMatch(m.uri);
  if (m.queryParams) out.queryParams = sortedRecord(m.queryParams, stringMatch);
  return out;
}

function routeBody(
  host: string,
  part: {
    split: Destination[];
    fault?: Fault;
    timeout?: string;
    retries?: Retries;
    mirror?: Mirror;
  },
): IstioHttpRoute {
  const out: IstioHttpRoute = {
    route: part.split.map(d => ({
      destination: { host, subset: subsetName(d) },
      weight: d.weight,
    })),
  };
  if (part.fault) {
    const fault: IstioHttpRoute['fault'] = {};
    if (part.fault.abort) {
      fault.abort = {
        httpStatus: part.fault.abort.httpStatus,
        percentage: { value: part.fault.abort.percent },
      };
    }
    if (part.fault.delay) {
      fault.delay = {
        fixedDelay: part.fault.delay.fixed,
        percentage: { value: part.fault.delay.percent },
      };
    }
    out.fault = fault;
  }
  if (part.mirror) {
    out.mirror = { host, subset: subsetName(part.mirror) };
    out.mirrorPercentage = { value: part.mirror.percent };
  }
  if (part.retries) {
    const retries: IstioHttpRoute['retries'] = {
      attempts: part.retries.attempts,
    };
    if (part.retries.perTryTimeout !== undefined)
      retries.perTryTimeout = part.retries.perTryTimeout;
    if (part.retries.retryOn !== undefined)
      retries.retryOn = part.retries.retryOn.join(',');
    out.retries = retries;
  }
  if (part.timeout !== undefined) out.timeout = part.timeout;
  return out;
}

/** @public */
export function generateVirtualService(
  target: MeshTarget,
  intent: TrafficIntent,
  meta: ObjectMeta = metadata(target, intent),
): VirtualServiceObject {
  const host = serviceHost(target);
  const http: IstioHttpRoute[] = (intent.routes ?? []).map(route => ({
    name: route.name,
    match: route.match.map(httpMatch),
    ...routeBody(host, route),
  }));
  http.push({ name: DEFAULT_ROUTE_NAME, ...routeBody(host, intent) });
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'VirtualService',
    metadata: meta,
    spec: { hosts: [host], http },
  };
}

/** The locality settings Istio reads from loadBalancer.localityLbSetting, when any is set. */
function localityLbSetting(intent: TrafficIntent) {
  const { distribute, failoverPriority } = intent.locality ?? {};
  if (!intent.failover && !distribute && !failoverPriority) return undefined;
  return {
    enabled: true,
    ...(distribute
      ? {
          distribute: distribute.map(d => ({
            from: d.from,
            to: sortedRecord(d.to, w => w),
          })),
        }
      : {}),
    ...(intent.failover
      ? { failover: intent.failover.map(f => ({ from: f.from, to: f.to })) }
      : {}),
    ...(failoverPriority ? { failoverPriority: [...failoverPriority] } : {}),
  };
}

function loadBalancer(intent: TrafficIntent): TrafficPolicy['loadBalancer'] {
  const locality = localityLbSetting(intent);
  const lb = intent.loadBalancer;
  if (!locality && !lb) return undefined;
  return {
    ...(lb ? structuredCopy(lb) : {}),
    ...(locality ? { localityLbSetting: locality } : {}),
  };
}

/** @public */
export function trafficPolicy(
  intent: TrafficIntent,
): TrafficPolicy | undefined {
  const policy: TrafficPolicy = {};
  if (intent.connectionPool)
    policy.connectionPool = structuredCopy(intent.connectionPool);
  const lb = loadBalancer(intent);
  if (lb) policy.loadBalancer = lb;
  if (intent.outlierDetection)
    policy.outlierDetection = structuredCopy(intent.outlierDetection);
  return Object.keys(policy).length ? policy : undefined;
}

/** A copy with keys sorted at every level, so output does not depend on how the input was typed. */
function structuredCopy<T>(value: T): any {
  if (Array.isArray(value)) return value.map(structuredCopy);
  if (value && typeof value === 'object')
    return sortedRecord(value as Record<string, unknown>, structuredCopy);
  return value;
}

/** @public */
export function generateDestinationRule(
  target: MeshTarget,
  intent: TrafficIntent,
  meta: ObjectMeta = metadata(target, intent),
): DestinationRuleObject {
  const spec: DestinationRuleObject['spec'] = {
    host: serviceHost(target),
    subsets: referencedSubsets(intent).map(ref => ({
      name: subsetName(ref),
      labels: subsetLabels(ref, target.versionLabel),
    })),
  };
  const policy = trafficPolicy(intent);
  if (policy) spec.trafficPolicy = policy;
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'DestinationRule',
    metadata: meta,
    spec,
  };
}

/**
 * The routing objects for one config cluster, in apply order: the DestinationRule first, so the
 * subsets exist before a VirtualService routes to them (make before break), then the access
 * policy when the intent has one. Remove in reverse.
 * The intent must have passed validateIntent.
 *
 * @public
 */
export function generateIstioRouting(
  target: MeshTarget,
  intent: TrafficIntent,
): RoutingObject[] {
  // One metadata (and so one intent hash) for both objects: hashing is most of generation's cost.
  const meta = metadata(target, intent);
  return [
    generateDestinationRule(target, intent, copyMetadata(meta)),
    generateVirtualService(target, intent, copyMetadata(meta)),
    ...generateAccess(target, intent, copyMetadata(meta)),
  ];
}

/** Apply order of the kinds: backends first, then their policy, then the routes that send to them. */
const APPLY_RANK: Record<string, number> = {
  Service: 0,
  DestinationRule: 1,
  VirtualService: 2,
  HTTPRoute: 2,
  // Access last on the way in, first on the way out: it narrows who reaches what the routes serve.
  AuthorizationPolicy: 3,
};

/**
 * Removal order: routes first, so nothing routes to subsets or Services that are going away.
 *
 * @public
 */
export function removalOrder<T extends { kind: string }>(objects: T[]): T[] {
  const rank = (o: T) => -(APPLY_RANK[o.kind] ?? 0);
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/**
 * Apply order: Services, then DestinationRules, then the routes (make before break).
 *
 * @public
 */
export function applyOrder<T extends { kind: string }>(objects: T[]): T[] {
  const rank = (o: T) => APPLY_RANK[o.kind] ?? 0;
  return [...objects].sort((a, b) => rank(a) - rank(b));
}
