/**
 * `primary` runs an istiod that reads routing config from its own API server; `remote` has its
 * proxies configured by a primary elsewhere and holds no mesh config; `config` is the config
 * cluster of an external control plane.
 *
 * @public
 */
export type ClusterRole = 'primary' | 'remote' | 'config';

/** @public */
export const CLUSTER_ROLES: readonly ClusterRole[] = [
  'primary',
  'remote',
  'config',
];

/**
 * A cluster as the mesh topology knows it: no address, no credentials.
 *
 * @public
 */
export interface MeshClusterInfo {
  name: string;
  role: ClusterRole;
  network?: string;
  region?: string;
  zone?: string;
}

/** @public */
export interface MeshTopology {
  id: string;
  clusters: MeshClusterInfo[];
}
