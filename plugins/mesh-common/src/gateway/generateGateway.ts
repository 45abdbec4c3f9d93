import { generateAccess } from '../generate/access';
import { MeshTarget } from '../entity/target';
import {
  copyMetadata,
  metadata,
  serviceHost,
  trafficPolicy,
} from '../generate/generate';
import {
  GATEWAY_API_VERSION,
  GatewayFilter,
  GatewayRouteMatch,
  GatewayRule,
  GatewayStringMatch,
  HTTPRouteObject,
  ServiceObject,
  ServiceRef,
} from '../generate/gatewayTypes';
import {
  DestinationRuleObject,
  ObjectMeta,
  RoutingObject,
} from '../generate/istioTypes';
import {
  DEFAULT_ROUTE_NAME,
  ISTIO_API_VERSION,
  VERSION_OF_LABEL,
} from '../generate/metadata';
import { referencedSubsets } from '../generate/subsets';
import {
  Destination,
  Mirror,
  RouteMatch,
  StringMatch,
  TrafficIntent,
} from '../intent/schema';
import {
  explicitPort,
  routedPort,
  versionSelector,
  versionServiceName,
} from './versionServices';

/**
 * The path match Gateway API defaults a match to: every path.
 *
 * @public
 */
export const EVERY_PATH = { type: 'PathPrefix', value: '/' } as const;

/** What a rule needs besides its matches. */
interface RuleParts {
  split: Destination[];
  mirror?: Mirror;
  timeout?: string;
}

/** A version object's metadata: its own name, and the label that ties it to the service. */
function versionMeta(target: MeshTarget, meta: ObjectMeta, name: string) {
  const copy = copyMetadata(meta);
  return {
    ...copy,
    name,
    labels: { ...copy.labels, [VERSION_OF_LABEL]: target.service },
  };
}

function portOf(target: MeshTarget): number {
  const port = routedPort(target.servicePorts ?? []);
  if (!port)
    throw new Error(
      `Service ${target.namespace}/${target.service} has no ports: a Gateway API route attaches to a Service port`,
    );
  return port.port;
}

const serviceRef = (name: string, port: number): ServiceRef => ({
  group: '',
  kind: 'Service',
  name,
  port,
});

function valueMatch(name: string, m: StringMatch): GatewayStringMatch {
  return m.regex !== undefined
    ? { type: 'RegularExpression', name, value: m.regex }
    : { type: 'Exact', name, value: m.exact ?? '' };
}

function pathMatch(m: StringMatch): GatewayRouteMatch['path'] {
  if (m.exact !== undefined) return { type: 'Exact', value: m.exact };
  if (m.prefix !== undefined) return { type: 'PathPrefix', value: m.prefix };
  return { type: 'RegularExpression', value: m.regex ?? '' };
}

const byName = (record: Record<string, StringMatch>) =>
  Object.keys(record)
    .sort()
    .map(name => valueMatch(name, record[name]));

function gatewayMatch(m: RouteMatch): GatewayRouteMatch {
  const out: GatewayRouteMatch = {
    path: m.uri ? pathMatch(m.uri) : { ...EVERY_PATH },
  };
  if (m.headers) out.headers = byName(m.headers);
  if (m.queryParams) out.queryParams = byName(m.queryParams);
  if (m.method) out.method = m.method.exact;
  return out;
}

function rule(
  target: MeshTarget,
  name: string,
  matches: GatewayRouteMatch[],
  part: RuleParts,
): GatewayRule {
  const port = portOf(target);
  const backend = (version: string) =>
    serviceRef(versionServiceName(target.service, version), port);
  const out: GatewayRule = {
    name,
    matches,
    backendRefs: part.split.map(d => ({
      ...backend(d.version),
      weight: d.weight,
    })),
  };
  if (part.mirror) {
    const filter: GatewayFilter = {
      type: 'RequestMirror',
      requestMirror: {
        backendRef: backend(part.mirror.version),
        percent: part.mirror.percent,
      },
    };
    out.filters = [filter];
  }
  if (part.timeout !== undefined) out.timeouts = { request: part.timeout };
  return out;
}

/**
 * The HTTPRoute attached to the service (GAMMA): the intent's routes in order, then the default split.
 *
 * @public
 */
export function generateHTTPRoute(
  target: MeshTarget,
  intent: TrafficIntent,
  meta: ObjectMeta = metadata(target, intent),
): HTTPRouteObject {
  const rules = (intent.routes ?? []).map(r =>
    rule(target, r.name, r.match.map(gatewayMatch), r),
  );
  rules.push(
    rule(target, DEFAULT_ROUTE_NAME, [{ path: { ...EVERY_PATH } }], intent),
  );
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'HTTPRoute',
    metadata: meta,
    spec: {
      parentRefs: [serviceRef(target.service, portOf(target))],
      rules,
    },
  };
}

/**
 * Every version the intent sends or mirrors traffic to, sorted.
 *
 * @public
 */
export function routedVersions(intent: TrafficIntent): string[] {
  return [...new Set(referencedSubsets(intent).map(r => r.version))].sort();
}

/**
 * One Service per version, selecting that version's pods, with the service's ports.
 *
 * @public
 */
export function generateVersionServices(
  target: MeshTarget,
  intent: TrafficIntent,
  versions: string[] = routedVersions(intent),
  meta: ObjectMeta = metadata(target, intent),
): ServiceObject[] {
  return versions.map(version => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: versionMeta(
      target,
      meta,
      versionServiceName(target.service, version),
    ),
    spec: {
      selector: versionSelector(target, version),
      ports: (target.servicePorts ?? []).map(explicitPort),
    },
  }));
}

/**
 * The traffic policy, one DestinationRule per version Service: Istio applies a DestinationRule by
 * the host traffic goes to, and an HTTPRoute's traffic goes to the version Services, not to the
 * service's own host. None when the intent sets no policy.
 *
 * @public
 */
export function generatePolicyRules(
  target: MeshTarget,
  intent: TrafficIntent,
  meta: ObjectMeta = metadata(target, intent),
): DestinationRuleObject[] {
  if (!trafficPolicy(intent)) return [];
  return routedVersions(intent).map(version => {
    const name = versionServiceName(target.service, version);
    const policy = trafficPolicy(intent)!;
    return {
      apiVersion: ISTIO_API_VERSION,
      kind: 'DestinationRule',
      metadata: versionMeta(target, meta, name),
      spec: {
        host: serviceHost({ service: name, namespace: target.namespace }),
        trafficPolicy: policy,
      },
    };
  });
}

/**
 * A config cluster's objects for a mesh on Gateway API, in apply order: the version Services, then
 * their DestinationRules, then the HTTPRoute that sends traffic to them (make before break).
 * The intent must have passed validateIntent with routingApi `gateway-api`.
 *
 * @public
 */
export function generateGatewayRouting(
  target: MeshTarget,
  intent: TrafficIntent,
): RoutingObject[] {
  const meta = metadata(target, intent);
  return [
    ...generateVersionServices(target, intent, undefined, meta),
    ...generatePolicyRules(target, intent, meta),
    generateHTTPRoute(target, intent, copyMetadata(meta)),
    ...generateAccess(target, intent, copyMetadata(meta)),
  ];
}
