/**
 * Where a cluster is and how it is trusted, with what its auth strategy needs to authenticate
 * to it. The backend keeps this to itself: `authMetadata` may hold secrets, and nothing here
 * reaches a response or a log line.
 *
 * @public
 */
export interface MeshClusterDetails {
  /** The cluster's name, as `mesh.meshes[].clusters[].name` refers to it. */
  name: string;
  /**
   * The mesh the cluster is configured in, set whenever the backend asks for a credential. Names
   * are unique only within a mesh: a strategy that caches per cluster must key by mesh and name.
   */
  mesh?: string;
  /** The API server's URL. */
  url: string;
  /** The key of the auth strategy that authenticates to this cluster. */
  authProvider: string;
  /**
   * What the strategy reads: a service-account token, a kubeconfig path, an AWS role to assume,
   * as the Kubernetes plugin's `authMetadata` does.
   */
  authMetadata: Record<string, string>;
  /** The API server's CA certificate, base64-encoded PEM. */
  caData?: string;
  /** A file holding the API server's CA certificate (PEM). */
  caFile?: string;
  /** Whether to skip checking the API server's certificate: development only. */
  skipTLSVerify?: boolean;
}

/**
 * What authenticates one request to a cluster. `expiresAt`, when known, bounds how long the
 * backend reuses it; without it the strategy is asked again on every request (and may keep its
 * own cache, as cloud SDKs do).
 *
 * @public
 */
export type MeshClusterCredential =
  | { type: 'bearer token'; token: string; expiresAt?: Date }
  | {
      type: 'x509 client certificate';
      cert: string;
      key: string;
      expiresAt?: Date;
    }
  | { type: 'anonymous' };

/**
 * How the mesh backend authenticates to the clusters whose `authProvider` names it.
 *
 * @public
 */
export interface MeshAuthStrategy {
  /** Credentials for a request to the cluster; called whenever the cached ones are not valid. */
  getCredential(cluster: MeshClusterDetails): Promise<MeshClusterCredential>;
  /**
   * What is wrong with a cluster's config for this strategy (a missing token, say), checked at
   * startup so the backend stops with the cluster's key named. Messages must not quote secrets.
   */
  validateCluster(cluster: MeshClusterDetails): Error[];
}

/**
 * Clusters the mesh backend may connect to, found by name from `mesh.meshes[].clusters[]`
 * entries that give no `url` of their own. Read once, at startup.
 *
 * @public
 */
export interface MeshClusterSupplier {
  /** A name for startup messages ("kubernetes.clusterLocatorMethods"). */
  readonly source: string;
  getClusters(): Promise<MeshClusterDetails[]>;
}
