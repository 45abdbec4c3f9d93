import { KubeConfig } from '@kubernetes/client-node';
import {
  MeshAuthStrategy,
  MeshClusterCredential,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import fs from 'node:fs';
import https from 'node:https';

function loadKubeConfig(
  authProvider: string,
  authMetadata: Record<string, string>,
): KubeConfig {
  const kc = new KubeConfig();
  if (authProvider === 'inCluster') {
    kc.loadFromCluster();
    return kc;
  }
  kc.loadFromFile(authMetadata.kubeconfigPath);
  if (authMetadata.kubeconfigContext)
    kc.setCurrentContext(authMetadata.kubeconfigContext);
  return kc;
}

/**
 * Where a kubeconfig's current context (or the pod's own cluster, for inCluster) points and how it
 * is trusted: a cluster configured without `url` takes these.
 */
export function kubeConfigEndpoint(
  authProvider: string,
  authMetadata: Record<string, string>,
): Pick<MeshClusterDetails, 'url' | 'caData' | 'skipTLSVerify'> {
  const cluster = loadKubeConfig(
    authProvider,
    authMetadata,
  ).getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const caData =
    cluster.caData ??
    (cluster.caFile
      ? fs.readFileSync(cluster.caFile).toString('base64')
      : undefined);
  return {
    url: cluster.server,
    caData,
    skipTLSVerify: cluster.skipTLSVerify,
  };
}

/**
 * What one loaded kubeconfig serves: cluster names repeat across meshes (two meshes may each have
 * an `east`), so the mesh, the name and the file and context it reads all tell entries apart.
 */
export function cacheKey(cluster: MeshClusterDetails): string {
  return JSON.stringify([
    cluster.mesh ?? '',
    cluster.name,
    cluster.authMetadata.kubeconfigPath ?? '',
    cluster.authMetadata.kubeconfigContext ?? '',
  ]);
}

/**
 * Credentials from a kubeconfig file (`kubeconfig`) or the pod's service account (`inCluster`),
 * through @kubernetes/client-node, which renews what it can: token files are read again (bound
 * service-account tokens rotate), exec plugins run again when their credential expires.
 */
export class KubeConfigStrategy implements MeshAuthStrategy {
  private readonly configs = new Map<string, KubeConfig>();

  constructor(private readonly authProvider: 'kubeconfig' | 'inCluster') {}

  async getCredential(
    cluster: MeshClusterDetails,
  ): Promise<MeshClusterCredential> {
    const key = cacheKey(cluster);
    let kc = this.configs.get(key);
    if (!kc) {
      kc = loadKubeConfig(this.authProvider, cluster.authMetadata);
      this.configs.set(key, kc);
    }
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const authorization = (options.headers as Record<string, string>)
      ?.Authorization;
    if (authorization?.startsWith('Bearer '))
      return {
        type: 'bearer token',
        token: authorization.slice('Bearer '.length),
      };
    if (options.cert && options.key)
      return {
        type: 'x509 client certificate',
        cert: options.cert.toString(),
        key: options.key.toString(),
      };
    return { type: 'anonymous' };
  }

  validateCluster(cluster: MeshClusterDetails): Error[] {
    if (
      this.authProvider === 'kubeconfig' &&
      !cluster.authMetadata.kubeconfigPath
    )
      return [
        new Error('kubeconfigPath is required with authProvider kubeconfig'),
      ];
    return [];
  }
}
