/**
 * Scaffolder actions that plan and apply a mesh service's Istio routing through the mesh backend.
 *
 * @packageDocumentation
 */
export { scaffolderModuleMesh as default } from './module';
export { createMeshTrafficPlanAction } from './actions/plan';
export { createMeshTrafficApplyAction } from './actions/apply';
export { MeshBackendClient } from './client/MeshBackendClient';
export type { MeshActionDeps } from './actions/planAndReport';
