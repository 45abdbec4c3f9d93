import {
  DestinationRuleObject,
  RoutingObject,
  VirtualServiceObject,
} from './istioTypes';
import { HTTPRouteObject } from './gatewayTypes';
import { resolveHost } from './generate';

/**
 * `kind/namespace/name`: one routing object's identity on a cluster.
 *
 * @public
 */
const keyOf = (o: RoutingObject) =>
  `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** Every (host, subset) a VirtualService sends traffic to, mirrors included. */
function routedSubsets(
  vs: VirtualServiceObject,
): Array<{ host: string; subset: string }> {
  const ns = vs.metadata.namespace;
  const out: Array<{ host: string; subset: string }> = [];
  for (const http of vs.spec.http ?? []) {
    for (const r of http.route ?? []) {
      if (r.destination.subset)
        out.push({
          host: resolveHost(r.destination.host, ns),
          subset: r.destination.subset,
        });
    }
    if (http.mirror?.subset)
      out.push({
        host: resolveHost(http.mirror.host, ns),
        subset: http.mirror.subset,
      });
  }
  return out;
}

/**
 * The routes of a cluster's objects that point at a subset no DestinationRule for its host
 * defines: traffic that would fail (503, no healthy upstream). Empty is the invariant every
 * moment of a change keeps.
 *
 * @public
 */
export function danglingRoutes(objects: RoutingObject[]): string[] {
  const defined = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'DestinationRule') continue;
    const dr = o as DestinationRuleObject;
    if (!dr.spec.host) continue;
    for (const s of dr.spec.subsets ?? [])
      defined.add(
        `${resolveHost(dr.spec.host, dr.metadata.namespace)}#${s.name}`,
      );
  }
  const subsets = objects
    .filter((o): o is VirtualServiceObject => o.kind === 'VirtualService')
    .flatMap(vs =>
      routedSubsets(vs)
        .filter(r => !defined.has(`${r.host}#${r.subset}`))
        .map(
          r =>
            `VirtualService ${vs.metadata.namespace}/${vs.metadata.name} routes to subset ${r.subset} of ${r.host}, which no DestinationRule defines`,
        ),
    );
  return [...subsets, ...missingBackends(objects)];
}

/** The Services an HTTPRoute sends or mirrors to, by namespace/name. */
function backendsOf(route: HTTPRouteObject): string[] {
  const ns = route.metadata.namespace;
  const refs = (route.spec.rules ?? []).flatMap(rule => [
    ...(rule.backendRefs ?? []),
    ...(rule.filters ?? []).flatMap(f =>
      f.requestMirror ? [f.requestMirror.backendRef] : [],
    ),
  ]);
  return refs
    .filter(r => (r.group ?? '') === '' && (r.kind ?? 'Service') === 'Service')
    .map(r => `${r.namespace ?? ns}/${r.name}`);
}

/** HTTPRoutes that send to a Service the cluster does not hold: a 500 for that share of requests. */
function missingBackends(objects: RoutingObject[]): string[] {
  const services = new Set(
    objects
      .filter(o => o.kind === 'Service')
      .map(o => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  return objects
    .filter((o): o is HTTPRouteObject => o.kind === 'HTTPRoute')
    .flatMap(route =>
      backendsOf(route)
        .filter(b => !services.has(b))
        .map(
          b =>
            `HTTPRoute ${route.metadata.namespace}/${route.metadata.name} sends to Service ${b}, which does not exist`,
        ),
    );
}

/**
 * One step of a transition: the object at `key` becomes `desired`, or is deleted when `desired` is absent.
 *
 * @public
 */
export interface TransitionStep {
  key: string;
  kind: RoutingObject['kind'];
  namespace: string;
  name: string;
  desired?: RoutingObject;
}

/** The DestinationRule `desired` with the subsets of `current` it drops added back. */
function withOldSubsets(
  desired: DestinationRuleObject,
  current: DestinationRuleObject,
): DestinationRuleObject | undefined {
  const kept = new Set((desired.spec.subsets ?? []).map(s => s.name));
  const dropped = (current.spec.subsets ?? []).filter(s => !kept.has(s.name));
  if (!dropped.length) return undefined;
  return {
    ...desired,
    spec: {
      ...desired.spec,
      subsets: [...(desired.spec.subsets ?? []), ...dropped],
    },
  };
}

const step = (o: RoutingObject, desired?: RoutingObject): TransitionStep => ({
  key: keyOf(o),
  kind: o.kind,
  namespace: o.metadata.namespace!,
  name: o.metadata.name,
  ...(desired ? { desired } : {}),
});

const isRoute = (o: RoutingObject) =>
  o.kind === 'VirtualService' || o.kind === 'HTTPRoute';

/**
 * The order of writes that takes one cluster from `current` to `writes` (and `removes` gone)
 * without a moment where a route sends to a subset its DestinationRule lacks or to a Service that
 * does not exist: make-before-break. Services first, then DestinationRules, with the union of old
 * and new subsets when subsets go away; then the routes, VirtualServices and HTTPRoutes (writes,
 * then deletions); then the DestinationRules as desired; then their deletions; then the Services'.
 * Restoring is the same function with the roles swapped, so undo keeps the invariant too.
 *
 * @public
 */
export function transition(
  current: RoutingObject[],
  writes: RoutingObject[],
  removes: RoutingObject[],
): TransitionStep[] {
  const live = new Map(current.map(o => [keyOf(o), o]));
  const make: TransitionStep[] = writes
    .filter(o => o.kind === 'Service')
    .map(o => step(o, o));
  const finals: TransitionStep[] = [];
  for (const dr of writes.filter(
    o => o.kind === 'DestinationRule',
  ) as DestinationRuleObject[]) {
    const before = live.get(keyOf(dr)) as DestinationRuleObject | undefined;
    const union = before && withOldSubsets(dr, before);
    if (union) {
      make.push(step(dr, union));
      finals.push(step(dr, dr));
    } else {
      make.push(step(dr, dr));
    }
  }
  const routes = writes.filter(isRoute).map(o => step(o, o));
  const unroutes = removes.filter(isRoute).map(o => step(o));
  const drops = removes
    .filter(o => o.kind === 'DestinationRule')
    .map(o => step(o));
  const unserve = removes.filter(o => o.kind === 'Service').map(o => step(o));
  const isAccess = (o: RoutingObject) => o.kind === 'AuthorizationPolicy';
  // Who may call is written once what they call is in place, and lifted before it goes.
  const admit = writes.filter(isAccess).map(o => step(o, o));
  const unadmit = removes.filter(isAccess).map(o => step(o));
  return [
    ...make,
    ...routes,
    ...admit,
    ...unadmit,
    ...unroutes,
    ...finals,
    ...drops,
    ...unserve,
  ];
}

/**
 * The objects of a cluster after a step: for checking a sequence of steps against `danglingRoutes`.
 *
 * @public
 */
export function afterStep(
  objects: RoutingObject[],
  s: TransitionStep,
): RoutingObject[] {
  const rest = objects.filter(o => keyOf(o) !== s.key);
  return s.desired ? [...rest, s.desired] : rest;
}

export { keyOf as routingKey };
