export { MeshClustersTable } from './MeshClustersTable';
export type { MeshClusterRow } from './MeshClustersTable';
