import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterSummary,
  ClustersResponse,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig, MeshPluginConfig } from '../config/readMeshConfig';
import { ClusterClient } from './ClusterClient';
import { describeClusterError } from './clusterErrors';

/** The configured meshes and clusters, and what the portal may be told about them. */
export class ClusterRegistry {
  private readonly clients = new Map<string, ClusterClient>();

  constructor(
    private readonly config: MeshPluginConfig,
    private readonly logger?: LoggerService,
  ) {}

  /** One client per configured cluster, made on first use and kept (its credentials and connections too). */
  client(cluster: ClusterConfig): ClusterClient {
    const key = `${cluster.mesh}/${cluster.name}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new ClusterClient(
        cluster,
        this.config.authStrategies[cluster.authProvider],
        this.logger,
      );
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Starts every cluster's watches before the first page needs them: routing where config takes
   * effect, workloads everywhere.
   */
  warm() {
    for (const mesh of this.config.meshes)
      for (const cluster of mesh.clusters)
        this.client(cluster).cache.warm(
          mesh.placement.configClusters.includes(cluster.name),
        );
  }

  /** Stops every cluster's watches: the backend is shutting down. */
  close() {
    for (const client of this.clients.values()) client.close();
  }

  get meshes() {
    return this.config.meshes;
  }

  mesh(id: string) {
    return this.config.meshes.find(m => m.id === id);
  }

  /** Every cluster's reachability, asked in parallel, each bounded by its own timeout. */
  async describe(): Promise<ClustersResponse> {
    const all = this.config.meshes.flatMap(m => m.clusters);
    const clusters = await Promise.all(all.map(c => this.probe(c)));
    return {
      meshes: this.config.meshes.map(m => {
        return {
          id: m.id,
          kind: m.placement.kind,
          configClusters: m.placement.configClusters,
          routingApi: m.routingApi,
          trustDomain: m.trustDomain,
        };
      }),
      clusters,
    };
  }

  private async probe(cluster: ClusterConfig): Promise<ClusterSummary> {
    const summary: ClusterSummary = {
      name: cluster.name,
      title: cluster.title,
      mesh: cluster.mesh,
      role: cluster.role,
      network: cluster.network,
      region: cluster.region,
      reachable: false,
    };
    try {
      await this.client(cluster).kubernetesVersion();
      return { ...summary, reachable: true };
    } catch (e) {
      return { ...summary, error: describeClusterError(e) };
    }
  }
}
