import {
  MeshAuthStrategy,
  MeshClusterCredential,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { GoogleAuth } from 'google-auth-library';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * GKE with the backend's own Google identity: a service-account key from config, or else
 * Application Default Credentials (workload identity on GKE), through google-auth-library, which
 * the Kubernetes plugin's GKE support uses too. The access token is kept until it expires.
 *
 * The Kubernetes plugin's `google` strategy sends the signed-in user's token from the browser;
 * the mesh backend writes on its own account, so its `google` is this one.
 */
export class GoogleStrategy implements MeshAuthStrategy {
  constructor(private readonly auth: GoogleAuth) {}

  /** With a service-account key (JSON) if given, Application Default Credentials if not. */
  static withCredentials(credentialsJson?: string) {
    let credentials;
    if (credentialsJson) {
      try {
        credentials = JSON.parse(credentialsJson);
      } catch {
        throw new Error(
          'the Google service-account credentials in config are not JSON',
        );
      }
    }
    return new GoogleStrategy(
      new GoogleAuth({ scopes: [CLOUD_PLATFORM], credentials }),
    );
  }

  async getCredential(): Promise<MeshClusterCredential> {
    const client = await this.auth.getClient();
    const { token } = await client.getAccessToken();
    if (!token)
      throw new Error(
        "Google returned no access token: check the backend's Google credentials",
      );
    const expiry = client.credentials?.expiry_date;
    return {
      type: 'bearer token',
      token,
      expiresAt: expiry ? new Date(expiry) : undefined,
    };
  }

  validateCluster(): Error[] {
    return [];
  }
}
