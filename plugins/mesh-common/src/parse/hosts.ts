import { MeshTarget } from '../entity/target';
import { resolveHost, serviceHost } from '../generate/generate';
import { RoutingObject } from '../generate/istioTypes';
import {
  ENTITY_REF_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  VERSION_OF_LABEL,
} from '../generate/metadata';
import { GitOpsTool, gitOpsManagement } from './gitOps';

/**
 * Who writes a routing object, as far as its metadata tells.
 *
 * @public
 */
export type RoutingOwner =
  | 'backstage-mesh'
  | 'kiali'
  | 'flagger'
  | 'argo-rollouts'
  | GitOpsTool
  | 'hand-written';

/** @public */
export type RoutingStatus = 'ours' | 'drifted' | 'foreign';

/**
 * What adopting the host does with a foreign object: rewrite it (it has our name), delete it (it
 * routes only our host, under another name), keep it (it routes other hosts too, or lives in another
 * namespace: deleting it would take down routing that is not the host's), or nothing at all, because
 * it blocks the host (our name, another host's routing): no apply can proceed until a person moves it.
 *
 * @public
 */
export type AdoptionEffect = 'rewrite' | 'delete' | 'keep' | 'blocked';

/** @public */
export const ARGO_ROLLOUTS_MANAGED_ANNOTATION =
  'argo-rollouts.argoproj.io/managed-by-rollouts';
/** @public */
export const KIALI_WIZARD_LABEL = 'kiali_wizard';

/** @public */
export function routingOwner(obj: RoutingObject): RoutingOwner {
  const meta = obj.metadata;
  // In Git first: an object of ours committed to Git, or co-managed by a GitOps tool, is the tool's.
  const gitOps = gitOpsManagement(obj);
  if (gitOps) return gitOps.tool;
  if (meta.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE)
    return 'backstage-mesh';
  if (meta.labels?.[KIALI_WIZARD_LABEL] !== undefined) return 'kiali';
  if (
    meta.ownerReferences?.some(
      r => r.kind === 'Canary' && r.apiVersion.startsWith('flagger.app/'),
    )
  )
    return 'flagger';
  if (meta.annotations?.[ARGO_ROLLOUTS_MANAGED_ANNOTATION] !== undefined)
    return 'argo-rollouts';
  return 'hand-written';
}

/**
 * The hosts an object routes: a VirtualService's hosts, a DestinationRule's host, the Services an
 * HTTPRoute is attached to (a Gateway parent counts as routing something else); a Service routes none.
 */
function hostsOf(obj: RoutingObject): string[] {
  switch (obj.kind) {
    case 'VirtualService':
      return obj.spec.hosts ?? [];
    case 'DestinationRule':
      return obj.spec.host === undefined ? [] : [obj.spec.host];
    case 'HTTPRoute':
      return (obj.spec.parentRefs ?? []).map(p =>
        (p.group ?? '') === '' && p.kind === 'Service'
          ? serviceHost({
              service: p.name,
              namespace: p.namespace ?? obj.metadata.namespace,
            })
          : `${p.kind ?? 'Gateway'} ${p.namespace ?? obj.metadata.namespace}/${
              p.name
            }`,
      );
    default:
      return [];
  }
}

/**
 * The hosts an object routes, each resolved to the name Istio resolves it to: what a cache indexes
 * objects by, so that the objects routing one host are found without looking at the others.
 *
 * @public
 */
export function routedHosts(obj: RoutingObject): string[] {
  return hostsOf(obj).map(h => resolveHost(h, obj.metadata.namespace));
}

/**
 * Whether a live object routes the target's host (by any of the names Istio resolves to it).
 *
 * @public
 */
export function routesHost(
  obj: RoutingObject,
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): boolean {
  const host = serviceHost(target);
  return hostsOf(obj).some(
    h => resolveHost(h, obj.metadata.namespace) === host,
  );
}

/**
 * The hosts an object routes besides the target's.
 *
 * @public
 */
export function otherHostsOf(
  obj: RoutingObject,
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): string[] {
  const host = serviceHost(target);
  return hostsOf(obj).filter(
    h => resolveHost(h, obj.metadata.namespace) !== host,
  );
}

/**
 * Whether an object sits where the generator writes the target's objects: its namespace, its name.
 *
 * @public
 */
export function holdsOurName(
  obj: RoutingObject,
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): boolean {
  return (
    obj.metadata.namespace === target.namespace &&
    obj.metadata.name === target.service
  );
}

/**
 * Whether an object is one of the service's version Services (or their DestinationRules), by its label.
 *
 * @public
 */
export function isVersionObject(
  obj: RoutingObject,
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): boolean {
  return (
    obj.metadata.namespace === target.namespace &&
    obj.metadata.labels?.[VERSION_OF_LABEL] === target.service
  );
}

/**
 * Whether an object concerns the target at all: it routes the host, it has the name ours would,
 * or it is labelled one of the service's version objects; an AuthorizationPolicy, when it has the
 * name ours would.
 *
 * @public
 */
export function concernsHost(
  obj: RoutingObject,
  target: Pick<MeshTarget, 'service' | 'namespace'>,
): boolean {
  if (obj.kind === 'Service') return isVersionObject(obj, target);
  // Other policies on the service's workloads are the namespace's, not the host's routing: only
  // the one under our name is ever written, read back or adopted.
  if (obj.kind === 'AuthorizationPolicy') return holdsOurName(obj, target);
  return (
    routesHost(obj, target) ||
    holdsOurName(obj, target) ||
    isVersionObject(obj, target)
  );
}

/**
 * The catalog entity our label and annotation say wrote an object, when it is ours at all.
 *
 * @public
 */
export function writtenFor(obj: RoutingObject): string | undefined {
  if (routingOwner(obj) !== 'backstage-mesh') return undefined;
  return obj.metadata.annotations?.[ENTITY_REF_ANNOTATION];
}
