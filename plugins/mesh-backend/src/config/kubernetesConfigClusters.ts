import { Config } from '@backstage/config';
import { readConfiguredConnection, SuppliedCluster } from './readConnection';

/**
 * The Kubernetes plugin's `authProvider`s that mean, for a backend writing on its own account, one
 * of ours: its `googleServiceAccount` is our `google`, and its `google` and `aks`, which carry the
 * signed-in user's token from the browser, become the backend's own Google or Azure identity.
 */
const KUBERNETES_AUTH_PROVIDERS: Record<string, string> = {
  googleServiceAccount: 'google',
  aks: 'azure',
};

/**
 * The clusters of the Kubernetes plugin's `kubernetes.clusterLocatorMethods` of type `config`, so
 * `mesh.meshes[].clusters[]` can name them and give only what the mesh adds (role, network,
 * region). Each keeps its own key for startup messages.
 */
export function kubernetesConfigClusters(config: Config): SuppliedCluster[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  return methods.flatMap((method, i) => {
    if (method.getString('type') !== 'config') return [];
    return (method.getOptionalConfigArray('clusters') ?? []).map((c, j) => {
      const details = readConfiguredConnection(c);
      return {
        ...details,
        authProvider:
          KUBERNETES_AUTH_PROVIDERS[details.authProvider] ??
          details.authProvider,
        source: `kubernetes.clusterLocatorMethods[${i}].clusters[${j}]`,
      };
    });
  });
}
