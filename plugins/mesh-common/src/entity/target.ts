import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/** The mesh (its id in the `mesh.meshes` config) the entity's service belongs to. Required. */
export const MESH_ID_ANNOTATION = 'mesh.meshtraffic.io/mesh';
/** The Kubernetes Service name; falls back to `backstage.io/kubernetes-id`, then the entity name. */
export const MESH_SERVICE_ANNOTATION = 'mesh.meshtraffic.io/service';
/** The Kubernetes namespace; falls back to `backstage.io/kubernetes-namespace`, then `default`. */
export const MESH_NAMESPACE_ANNOTATION = 'mesh.meshtraffic.io/namespace';
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/** What a catalog entity points the plugin at. */
export interface MeshTarget {
  mesh: string;
  service: string;
  namespace: string;
  /** `kind:namespace/name` of the catalog entity. */
  entityRef: string;
}

export function isMeshAnnotated(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[MESH_ID_ANNOTATION]);
}

/** The target an entity's annotations name, or undefined when it carries no mesh annotation. */
export function readMeshTarget(entity: Entity): MeshTarget | undefined {
  const a = entity.metadata.annotations ?? {};
  const mesh = a[MESH_ID_ANNOTATION]?.trim();
  if (!mesh) return undefined;
  return {
    mesh,
    service: (a[MESH_SERVICE_ANNOTATION] ?? a[KUBERNETES_ID_ANNOTATION] ?? entity.metadata.name).trim(),
    namespace: (a[MESH_NAMESPACE_ANNOTATION] ?? a[KUBERNETES_NAMESPACE_ANNOTATION] ?? 'default').trim(),
    entityRef: stringifyEntityRef(entity),
  };
}
