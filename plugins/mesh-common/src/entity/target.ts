import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { ServicePort } from '../generate/gatewayTypes';

/**
 * The mesh (its id in the `mesh.meshes` config) the entity's service belongs to. Required.
 *
 * @public
 */
export const MESH_ID_ANNOTATION = 'mesh.meshtraffic.io/mesh';
/**
 * The Kubernetes Service name; falls back to `backstage.io/kubernetes-id`, then the entity name.
 *
 * @public
 */
export const MESH_SERVICE_ANNOTATION = 'mesh.meshtraffic.io/service';
/**
 * The Kubernetes namespace; falls back to `backstage.io/kubernetes-namespace`, then `default`.
 *
 * @public
 */
export const MESH_NAMESPACE_ANNOTATION = 'mesh.meshtraffic.io/namespace';
/** @public */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/**
 * What a catalog entity points the plugin at.
 *
 * @public
 */
export interface MeshTarget {
  mesh: string;
  service: string;
  namespace: string;
  /** `kind:namespace/name` of the catalog entity. */
  entityRef: string;
  /** The pod label versions are told apart by, which subsets select on; `version` when unset. */
  versionLabel?: string;
  /** How the mesh writes an intent (`mesh.meshes[].routingApi`); `istio` when unset. */
  routingApi?: RoutingApi;
  /** The pod label naming the service, which a version Service selects on besides the version; `app` when unset. */
  appLabel?: string;
  /** The trust domain of the mesh's workload identities (`mesh.meshes[].trustDomain`); `cluster.local` when unset. */
  trustDomain?: string;
  /** The Service's ports as a config cluster has them: Gateway API routes attach to them, and version Services copy them. */
  servicePorts?: ServicePort[];
}

/**
 * The pod label that names the service (`app` unless the mesh says otherwise).
 *
 * @public
 */
export const appLabelOf = (target: Pick<MeshTarget, 'appLabel'>) =>
  target.appLabel ?? 'app';

/**
 * `istio`: a VirtualService and DestinationRule; `gateway-api`: an HTTPRoute on the Service, one Service per version.
 *
 * @public
 */
export type RoutingApi = 'istio' | 'gateway-api';
/** @public */
export const ROUTING_APIS: readonly RoutingApi[] = ['istio', 'gateway-api'];

/** @public */
export function isMeshAnnotated(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[MESH_ID_ANNOTATION]);
}

/**
 * A Kubernetes Service or namespace name (DNS-1123 label): what may reach a label selector or an object name.
 *
 * @public
 */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_MESSAGE =
  'must be a Kubernetes name (DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending alphanumeric)';

/** Where a target field's value came from: the annotation that set it, or the entity's name. */
function sourceOf(
  a: Record<string, string>,
  keys: string[],
  fallback: string,
): string {
  return keys.find(k => a[k] !== undefined) ?? fallback;
}

/**
 * What is wrong with the target an entity's annotations name, each problem with the annotation
 * it came from, so that a bad value never reaches a label selector or an object name.
 *
 * @public
 */
export function meshTargetIssues(
  entity: Entity,
): Array<{ annotation: string; message: string }> {
  const target = readMeshTarget(entity);
  if (!target) return [];
  const a = entity.metadata.annotations ?? {};
  const issues: Array<{ annotation: string; message: string }> = [];
  const check = (value: string, annotation: string) => {
    if (value.length > 63 || !DNS_1123_LABEL.test(value))
      issues.push({ annotation, message: `"${value}" ${DNS_1123_MESSAGE}` });
  };
  check(
    target.service,
    sourceOf(
      a,
      [MESH_SERVICE_ANNOTATION, KUBERNETES_ID_ANNOTATION],
      'metadata.name',
    ),
  );
  check(
    target.namespace,
    sourceOf(
      a,
      [MESH_NAMESPACE_ANNOTATION, KUBERNETES_NAMESPACE_ANNOTATION],
      'metadata.namespace',
    ),
  );
  // Other entities' claims on a host are found by the catalog's exact match on this value: one
  // with spaces around it would be invisible to them.
  if (a[MESH_ID_ANNOTATION] !== target.mesh)
    issues.push({
      annotation: MESH_ID_ANNOTATION,
      message: `"${a[MESH_ID_ANNOTATION]}" must not begin or end with whitespace`,
    });
  return issues;
}

/**
 * Whether two targets name the same host of the same mesh.
 *
 * @public
 */
export function sameHost(
  a: Omit<MeshTarget, 'entityRef'>,
  b: Omit<MeshTarget, 'entityRef'>,
): boolean {
  return (
    a.mesh === b.mesh && a.namespace === b.namespace && a.service === b.service
  );
}

/**
 * The target an entity's annotations name, or undefined when it carries no mesh annotation.
 *
 * @public
 */
export function readMeshTarget(entity: Entity): MeshTarget | undefined {
  const a = entity.metadata.annotations ?? {};
  const mesh = a[MESH_ID_ANNOTATION]?.trim();
  if (!mesh) return undefined;
  return {
    mesh,
    service: (
      a[MESH_SERVICE_ANNOTATION] ??
      a[KUBERNETES_ID_ANNOTATION] ??
      entity.metadata.name
    ).trim(),
    namespace: (
      a[MESH_NAMESPACE_ANNOTATION] ??
      a[KUBERNETES_NAMESPACE_ANNOTATION] ??
      'default'
    ).trim(),
    entityRef: stringifyEntityRef(entity),
  };
}
