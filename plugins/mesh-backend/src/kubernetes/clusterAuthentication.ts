import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Configuration,
  createConfiguration,
  RequestContext,
  SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { MeshClusterCredential } from '@meshtraffic/backstage-plugin-mesh-node';
import fs from 'node:fs';
import https from 'node:https';
import { CredentialCache } from '../auth/CredentialCache';
import { ClusterConfig } from '../config/readMeshConfig';
import { ClusterCredentialError } from './clusterErrors';
import { IdleClosingAgent } from './idleClosingAgent';

/**
 * Authenticates every request to one cluster with its strategy's current credential (renewed when
 * it expires), over one keep-alive agent: client-node would otherwise open a new TLS connection per
 * request, two more round trips each time. A new client certificate makes a new agent.
 */
export class ClusterAuthentication implements SecurityAuthentication {
  private agent?: https.Agent;
  private agentCert?: string;
  private readonly ca?: Buffer;

  constructor(
    private readonly cluster: ClusterConfig,
    readonly credentials: CredentialCache,
    private readonly logger?: LoggerService,
  ) {
    if (cluster.caData) this.ca = Buffer.from(cluster.caData, 'base64');
    else if (cluster.caFile) this.ca = fs.readFileSync(cluster.caFile);
  }

  getName() {
    return `mesh ${this.cluster.authProvider} authentication`;
  }

  async applySecurityAuthentication(context: RequestContext) {
    const credential = await this.credentials.get().catch(e => {
      // The cause goes to the log only: a cloud SDK's message is for operators, not for responses.
      this.logger?.warn(
        `mesh: the ${this.cluster.authProvider} auth strategy failed for cluster ${this.cluster.name}`,
        e,
      );
      throw new ClusterCredentialError(
        this.cluster.name,
        this.cluster.authProvider,
        e,
      );
    });
    const secure = context.getUrl().startsWith('https:');
    if (credential.type === 'bearer token') {
      // A bearer token over plain HTTP is readable by anyone on the path.
      if (!secure)
        throw new Error(
          `cluster ${this.cluster.name}: refusing to send a bearer token over plain http`,
        );
      context.setHeaderParam('Authorization', `Bearer ${credential.token}`);
    }
    if (secure) context.setAgent(this.agentFor(credential));
  }

  private agentFor(credential: MeshClusterCredential): https.Agent {
    const client =
      credential.type === 'x509 client certificate' ? credential : undefined;
    const cert = client ? `${client.cert}\u0000${client.key}` : '';
    if (!this.agent || cert !== this.agentCert) {
      this.agent?.destroy();
      this.agent = new IdleClosingAgent({
        ca: this.ca,
        cert: client?.cert,
        key: client?.key,
        rejectUnauthorized: !this.cluster.skipTLSVerify,
      });
      this.agentCert = cert;
    }
    return this.agent;
  }
}

/** An API client of client-node for the cluster; clients made with one authentication share its connections. */
export function makeClusterApiClient<T>(
  cluster: ClusterConfig,
  authentication: ClusterAuthentication,
  ApiClient: new (config: Configuration) => T,
): T {
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.url.replace(/\/$/, ''), {}),
    authMethods: { default: authentication },
  });
  return new ApiClient(config);
}
