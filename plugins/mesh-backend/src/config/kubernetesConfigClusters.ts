import { Config } from '@backstage/config';
import { readConfiguredConnection, SuppliedCluster } from './readConnection';

/** The Kubernetes plugin's `authProvider`s that are one of ours under another name. */
const KUBERNETES_AUTH_PROVIDERS: Record<string, string> = {
  googleServiceAccount: 'google',
};

/**
 * The Kubernetes plugin's `authProvider`s whose token is the signed-in user's own, sent from the
 * browser with each request. The mesh backend writes on its own account, so such a cluster would
 * be reached with the backend's identity in the user's place: a borrowed identity, the class of
 * problem of the Kubernetes plugin's advisory GHSA-h53x-hjx6-25gr. What to configure instead:
 */
const USER_TOKEN_PROVIDERS: Record<string, string> = {
  google:
    'googleServiceAccount (or authProvider google in mesh.meshes[].clusters[]) with a service account the platform team grants',
  aks: 'authProvider azure in mesh.meshes[].clusters[], with the backend’s own managed identity or service principal',
  oidc: 'serviceAccount, or a strategy a backend module adds for the backend’s own identity',
  pinniped:
    'serviceAccount, or a strategy a backend module adds for the backend’s own identity',
};

/** Why a supplied cluster may not be used by the mesh backend, or undefined when it may. */
function borrowedIdentity(
  authProvider: string,
  source: string,
): string | undefined {
  const instead = USER_TOKEN_PROVIDERS[authProvider];
  if (!instead) return undefined;
  return `${source}.authProvider "${authProvider}" carries the signed-in user's own token, which the mesh backend never has: it would reach the cluster as the backend instead. Use ${instead}`;
}

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
      const source = `kubernetes.clusterLocatorMethods[${i}].clusters[${j}]`;
      const refusal = borrowedIdentity(details.authProvider, source);
      return {
        ...details,
        authProvider:
          KUBERNETES_AUTH_PROVIDERS[details.authProvider] ??
          details.authProvider,
        source,
        ...(refusal ? { refusal } : {}),
      };
    });
  });
}
