import {
  Configuration,
  createConfiguration,
  KubeConfig,
  RequestContext,
  SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';
import https from 'node:https';

/**
 * client-node builds a new https.Agent for every request, so every call opens a new TLS
 * connection: against a real API server that is a TCP and a TLS handshake, two more round trips,
 * before each request. This keeps one keep-alive agent per cluster, made with the options
 * client-node chose (CA, client certificate, TLS checks); proxy agents are left as they are.
 */
export class KeepAliveAuthentication implements SecurityAuthentication {
  private agent?: https.Agent;
  private agentKey?: string;

  constructor(private readonly kubeConfig: KubeConfig) {}

  getName() {
    return 'kubeconfig authentication, keep-alive';
  }

  async applySecurityAuthentication(context: RequestContext) {
    await this.kubeConfig.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!made || made.constructor !== https.Agent) return;
    const { ca, cert, key, pfx, rejectUnauthorized, servername } = (
      made as https.Agent
    ).options;
    // Rotated client certificates (exec or file credentials) change the options: then a new agent.
    const agentKey = [ca, cert, key, pfx, rejectUnauthorized, servername]
      .map(String)
      .join('\u0000');
    if (!this.agent || agentKey !== this.agentKey) {
      this.agent?.destroy();
      this.agent = new https.Agent({
        ...(made as https.Agent).options,
        keepAlive: true,
      });
      this.agentKey = agentKey;
    }
    made.destroy();
    context.setAgent(this.agent);
  }
}

/**
 * As `kubeConfig.makeApiClient(type)`, with connections kept alive across calls; API clients
 * made with the same authentication share its connections.
 */
export function makeKeepAliveClient<T>(
  kubeConfig: KubeConfig,
  authentication: KeepAliveAuthentication,
  ApiClient: new (config: Configuration) => T,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: authentication },
  });
  return new ApiClient(config);
}
