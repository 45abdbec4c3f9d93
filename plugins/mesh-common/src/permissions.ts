import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read a catalog entity's mesh routing: workloads, live objects, plans, history.
 *
 * @public
 */
export const meshTrafficReadPermission = createPermission({
  name: 'mesh.traffic.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Change a catalog entity's mesh routing: apply, roll back, remove.
 *
 * @public
 */
export const meshTrafficUpdatePermission = createPermission({
  name: 'mesh.traffic.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Read a mesh's status: its clusters, control planes, proxies and the services routed in it.
 *
 * @public
 */
export const meshStatusReadPermission = createPermission({
  name: 'mesh.status.read',
  attributes: { action: 'read' },
});

/** @public */
export const meshPermissions = [
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  meshStatusReadPermission,
];
