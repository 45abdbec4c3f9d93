import { KubeConfig } from '@kubernetes/client-node';
import fs from 'node:fs';
import { ClusterConfig } from '../config/readMeshConfig';

/**
 * A client-node KubeConfig for one configured cluster. The credentials stay inside this object;
 * nothing here logs or returns them.
 */
export function kubeConfigFor(cluster: ClusterConfig): KubeConfig {
  const kc = new KubeConfig();
  switch (cluster.authProvider) {
    case 'kubeconfig': {
      kc.loadFromFile(cluster.kubeconfigPath!);
      if (cluster.kubeconfigContext)
        kc.setCurrentContext(cluster.kubeconfigContext);
      return kc;
    }
    case 'inCluster':
      kc.loadFromCluster();
      return kc;
    case 'serviceAccount':
    default: {
      const caData =
        cluster.caData ??
        (cluster.caFile
          ? Buffer.from(fs.readFileSync(cluster.caFile)).toString('base64')
          : undefined);
      kc.loadFromOptions({
        clusters: [
          {
            name: cluster.name,
            server: cluster.url,
            caData,
            skipTLSVerify: cluster.skipTLSVerify,
          },
        ],
        users: [{ name: 'mesh-backend', token: cluster.serviceAccountToken }],
        contexts: [
          { name: cluster.name, cluster: cluster.name, user: 'mesh-backend' },
        ],
        currentContext: cluster.name,
      });
      return kc;
    }
  }
}
