/**
 * The mesh backend plugin: plans and applies Istio routing for catalog services to every config
 * cluster of their mesh.
 *
 * @packageDocumentation
 */
export { meshPlugin as default } from './plugin';
export {
  readMeshConfig,
  isNamespaceAllowed,
  MeshConfigError,
} from './config/readMeshConfig';
export type {
  ClusterConfig,
  MeshConfig,
  MeshPluginConfig,
  NamespaceOwners,
  PrometheusConfig,
  WorkloadLabels,
} from './config/readMeshConfig';
export type { WriteAccess } from './config/writeAccess';
export type { SuppliedCluster } from './config/readConnection';
