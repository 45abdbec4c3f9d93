/**
 * Entity tabs to manage a service's Istio traffic across a multi-cluster mesh.
 *
 * @packageDocumentation
 */
export {
  meshPlugin,
  EntityMeshContent,
  EntityMeshOverviewCard,
  MeshStatusPage,
} from './plugin';
export { isMeshAvailable } from './isMeshAvailable';
export { meshApiRef } from './api/MeshApi';
export type { MeshApi } from './api/MeshApi';
export { MeshClient } from './api/MeshClient';
