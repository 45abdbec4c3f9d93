import { MeshTarget } from '../entity/target';
import { canonicalJson } from '../generate/hash';
import {
  GatewayBackendRef,
  GatewayRouteMatch,
  GatewayRule,
  GatewayStringMatch,
  HTTPRouteObject,
  ServiceObject,
  ServiceRef,
} from '../generate/gatewayTypes';
import { DestinationRuleObject } from '../generate/istioTypes';
import { VERSION_LABEL } from '../generate/metadata';
import {
  Mirror,
  RouteMatch,
  StringMatch,
  TrafficIntent,
  TrafficRoute,
} from '../intent/schema';
import {
  canaryFrom,
  RoutingParseError,
  trafficPolicyParts,
} from '../parse/parse';

/**
 * The objects a mesh on Gateway API routes a service with, as read from one config cluster.
 *
 * @public
 */
export interface GatewayRouting {
  route: HTTPRouteObject;
  /** The Services in the route's namespace its backends may name (the version Services among them). */
  services: ServiceObject[];
  /** The DestinationRules of the version Services: the traffic policy. */
  policies: DestinationRuleObject[];
}

type Versions = (ref: ServiceRef, where: string) => string;

/** Maps a backend to the version its Service selects, by the Service's selector. */
function versionsOf(
  services: ServiceObject[],
  namespace: string,
  versionLabel: string,
): Versions {
  return (ref, where) => {
    if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service')
      throw new RoutingParseError(
        `${where} sends to a ${ref.kind} of group ${ref.group}; an intent sends to version Services`,
      );
    if (ref.namespace && ref.namespace !== namespace)
      throw new RoutingParseError(
        `${where} sends to a Service in namespace ${ref.namespace}; an intent routes within the service's namespace`,
      );
    const service = services.find(s => s.metadata.name === ref.name);
    const version = service?.spec.selector?.[versionLabel];
    if (!version)
      throw new RoutingParseError(
        `${where} sends to Service ${ref.name}, which ${
          service ? `selects no ${versionLabel} label` : 'does not exist'
        }: an intent sends to versions`,
      );
    return version;
  };
}

function stringMatch(m: { type?: string; value?: string }, where: string) {
  const type = m.type ?? 'Exact';
  if (type === 'Exact') return { exact: m.value ?? '' };
  if (type === 'RegularExpression') return { regex: m.value ?? '' };
  if (type === 'PathPrefix') return { prefix: m.value ?? '' };
  throw new RoutingParseError(`${where} matches by ${type}`);
}

function byName(list: GatewayStringMatch[], where: string) {
  const out: Record<string, StringMatch> = {};
  for (const m of list) out[m.name] = stringMatch(m, `${where} ${m.name}`);
  return out;
}

const isEveryPath = (p: GatewayRouteMatch['path']) =>
  !p || ((p.type ?? 'PathPrefix') === 'PathPrefix' && (p.value ?? '/') === '/');

function routeMatch(m: GatewayRouteMatch, where: string): RouteMatch {
  const { path, headers, queryParams, method, ...rest } = m;
  const unsupported = Object.keys(rest).filter(k => rest[k] !== undefined);
  if (unsupported.length)
    throw new RoutingParseError(
      `${where} uses ${unsupported.join(', ')}, which an intent cannot express`,
    );
  const out: RouteMatch = {};
  if (!isEveryPath(path)) out.uri = stringMatch(path!, `${where} path`);
  if (headers) out.headers = byName(headers, `${where} header`);
  if (queryParams) out.queryParams = byName(queryParams, `${where} query`);
  if (method) out.method = { exact: method };
  return out;
}

const matchesEverything = (rule: GatewayRule) =>
  !rule.matches?.length ||
  rule.matches.some(m => Object.keys(m).length === 1 && isEveryPath(m.path));

function mirrorOf(rule: GatewayRule, versions: Versions, where: string) {
  let mirror: Mirror | undefined;
  for (const f of rule.filters ?? []) {
    if (f.type !== 'RequestMirror' || !f.requestMirror || mirror)
      throw new RoutingParseError(
        `${where} uses a ${f.type} filter${
          mirror ? ' besides its mirror' : ''
        }, which an intent cannot express`,
      );
    const { backendRef, percent, fraction } = f.requestMirror;
    let share = percent ?? 100;
    if (fraction)
      share = (fraction.numerator / (fraction.denominator ?? 100)) * 100;
    mirror = {
      version: versions(backendRef, `${where} mirror`),
      percent: share,
    };
  }
  return mirror;
}

function ruleParts(rule: GatewayRule, versions: Versions, where: string) {
  const {
    backendRefs,
    filters: _f,
    matches: _m,
    name: _n,
    timeouts,
    ...rest
  } = rule;
  const unsupported = Object.keys(rest).filter(k => rest[k] !== undefined);
  if (unsupported.length)
    throw new RoutingParseError(
      `${where} uses ${unsupported.join(', ')}, which an intent cannot express`,
    );
  if (!backendRefs?.length)
    throw new RoutingParseError(`${where} has no backends`);
  const backend = (b: GatewayBackendRef, i: number) => {
    if (b.filters?.length)
      throw new RoutingParseError(
        `${where} backend ${b.name} has filters of its own, which an intent cannot express`,
      );
    return {
      version: versions(b, `${where} backendRefs[${i}]`),
      weight: b.weight ?? 1,
    };
  };
  const { backendRequest, request } = timeouts ?? {};
  if (backendRequest !== undefined)
    throw new RoutingParseError(
      `${where} sets a backendRequest timeout, which an intent cannot express`,
    );
  const mirror = mirrorOf(rule, versions, where);
  return {
    split: backendRefs.map(backend),
    ...(mirror ? { mirror } : {}),
    ...(request !== undefined ? { timeout: request } : {}),
  };
}

/** The traffic policy the version Services' DestinationRules hold: the same on each, or none. */
function policyOf(policies: DestinationRuleObject[]): Partial<TrafficIntent> {
  const held = new Set(policies.map(p => canonicalJson(p.spec.trafficPolicy)));
  if (held.size > 1)
    throw new RoutingParseError(
      "the version Services' DestinationRules hold different traffic policies",
    );
  return trafficPolicyParts(policies[0]?.spec.trafficPolicy);
}

/**
 * The intent an HTTPRoute on the service (with its backends' Services and their DestinationRules)
 * expresses. Exact for what this product generated; for others' routes (Kiali's, Flagger's, Argo
 * Rollouts', hand-written) it succeeds when they use only what an intent can say, and throws a
 * RoutingParseError naming what it cannot express otherwise.
 *
 * @public
 */
export function parseGatewayRouting(
  objects: GatewayRouting,
  target: Pick<MeshTarget, 'namespace' | 'versionLabel'>,
): TrafficIntent {
  const { route } = objects;
  const versions = versionsOf(
    objects.services,
    route.metadata.namespace ?? target.namespace,
    target.versionLabel ?? VERSION_LABEL,
  );
  if (route.spec.hostnames?.length)
    throw new RoutingParseError(
      'the HTTPRoute narrows its hostnames, which an intent cannot express',
    );
  const rules = route.spec.rules ?? [];
  const last = rules[rules.length - 1];
  if (!last || !matchesEverything(last))
    throw new RoutingParseError(
      'the HTTPRoute has no rule that matches every request as its last rule',
    );
  const routes: TrafficRoute[] = rules.slice(0, -1).map((r, i) => {
    const where = `rules[${i}]`;
    if (matchesEverything(r))
      throw new RoutingParseError(
        `${where} matches everything but is not the last rule`,
      );
    return {
      name: r.name ?? `route-${i}`,
      match: r.matches!.map((m, j) => routeMatch(m, `${where}.matches[${j}]`)),
      ...ruleParts(r, versions, where),
    };
  });
  const intent: TrafficIntent = ruleParts(
    last,
    versions,
    `rules[${rules.length - 1}]`,
  );
  if (routes.length) intent.routes = routes;
  Object.assign(intent, policyOf(objects.policies));
  const canary = canaryFrom(route);
  if (canary) intent.canary = canary;
  return intent;
}
