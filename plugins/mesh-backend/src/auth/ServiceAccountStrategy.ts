import {
  MeshAuthStrategy,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';

/** A long-lived service-account token from config (`serviceAccountToken`), as the Kubernetes plugin's. */
export class ServiceAccountStrategy implements MeshAuthStrategy {
  async getCredential(cluster: MeshClusterDetails) {
    return {
      type: 'bearer token' as const,
      token: cluster.authMetadata.serviceAccountToken,
    };
  }

  validateCluster(cluster: MeshClusterDetails): Error[] {
    return cluster.authMetadata.serviceAccountToken
      ? []
      : [
          new Error(
            'serviceAccountToken is required with authProvider serviceAccount',
          ),
        ];
  }
}
