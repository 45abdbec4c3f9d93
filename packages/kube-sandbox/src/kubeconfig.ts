import { stringify } from 'yaml';

export interface KubeconfigCluster {
  name: string;
  url: string;
  token: string;
  caData: string;
}

/** A kubeconfig with one context per cluster (context, cluster and user all named after it). */
export function renderKubeconfig(
  clusters: KubeconfigCluster[],
  currentContext = clusters[0]?.name,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': currentContext,
    clusters: clusters.map(c => ({
      name: c.name,
      cluster: { server: c.url, 'certificate-authority-data': c.caData },
    })),
    users: clusters.map(c => ({ name: c.name, user: { token: c.token } })),
    contexts: clusters.map(c => ({
      name: c.name,
      context: { cluster: c.name, user: c.name },
    })),
  });
}
