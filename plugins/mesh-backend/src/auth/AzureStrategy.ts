import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import {
  MeshAuthStrategy,
  MeshClusterCredential,
} from '@meshtraffic/backstage-plugin-mesh-node';

/** The AKS AAD server application, the audience of every AKS token (as in the Kubernetes plugin). */
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

/**
 * AKS with Microsoft Entra ID: a token for the AKS scope from @azure/identity's
 * DefaultAzureCredential (workload identity, managed identity, environment or Azure CLI), as the
 * Kubernetes plugin's `azure` strategy gets it. The token is kept until it expires.
 */
export class AzureStrategy implements MeshAuthStrategy {
  private credential?: TokenCredential;

  constructor(credential?: TokenCredential) {
    this.credential = credential;
  }

  async getCredential(): Promise<MeshClusterCredential> {
    // Made on first use: DefaultAzureCredential reads the environment, which a backend without
    // AKS clusters need not have.
    this.credential ??= new DefaultAzureCredential();
    const accessToken = await this.credential.getToken(AKS_SCOPE, {
      requestOptions: { timeout: 10_000 },
    });
    if (!accessToken)
      throw new Error('Microsoft Entra ID returned no token for AKS');
    return {
      type: 'bearer token',
      token: accessToken.token,
      expiresAt: new Date(accessToken.expiresOnTimestamp),
    };
  }

  validateCluster(): Error[] {
    return [];
  }
}
