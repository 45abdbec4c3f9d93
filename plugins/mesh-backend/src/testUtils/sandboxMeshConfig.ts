/**
 * What the mesh config needs of a sandbox cluster (`@meshtraffic/kube-sandbox`'s `SandboxCluster`).
 *
 * @public
 */
export interface SandboxClusterLike {
  name: string;
  mesh: string;
  url: string;
  role: string;
  network?: string;
  region?: string;
  token: string;
  caData: string;
}

/**
 * The `mesh:` config for every mesh of a sandbox, each cluster with its service-account token and
 * CA, as a test backend's root config takes it.
 *
 * @public
 */
export function sandboxMeshConfig(
  sandbox: { clusters: SandboxClusterLike[] },
  options: {
    requestTimeout?: number;
    meshExtra?: Record<string, unknown>;
  } = {},
) {
  const meshes = [...new Set(sandbox.clusters.map(c => c.mesh))].map(id => ({
    id,
    ...options.meshExtra,
    clusters: sandbox.clusters
      .filter(c => c.mesh === id)
      .map(c => ({
        name: c.name,
        url: c.url,
        role: c.role,
        network: c.network,
        region: c.region,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.token,
        caData: c.caData,
        requestTimeout: options.requestTimeout ?? 2000,
      })),
  }));
  return { meshes };
}
