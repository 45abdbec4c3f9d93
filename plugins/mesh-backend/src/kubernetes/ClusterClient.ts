import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { RoutingObject, WorkloadVersion } from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig } from '../config/readMeshConfig';
import { kubeConfigFor } from './kubeConfigFor';
import { withTimeout } from './withTimeout';

const ISTIO = { group: 'networking.istio.io', version: 'v1' };
const PLURAL: Record<RoutingObject['kind'], string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
};

/**
 * The calls the mesh backend makes to one cluster, through @kubernetes/client-node, each bounded
 * by the cluster's request timeout. Knows nothing of sandboxes: a real API server answers the same.
 */
export class ClusterClient {
  private kubeConfig?: KubeConfig;

  constructor(readonly cluster: ClusterConfig) {}

  private config(): KubeConfig {
    this.kubeConfig ??= kubeConfigFor(this.cluster);
    return this.kubeConfig;
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    return withTimeout(this.cluster.name, this.cluster.requestTimeoutMs, work);
  }

  /** The service's versions here: Deployments labelled `app=<service>`, by their `version` label. */
  async workloads(namespace: string, service: string): Promise<WorkloadVersion[]> {
    const api = this.config().makeApiClient(AppsV1Api);
    const list = await this.bounded(api.listNamespacedDeployment({ namespace, labelSelector: `app=${service}` }));
    const byVersion = new Map<string, WorkloadVersion>();
    for (const d of list.items) {
      const version = d.metadata?.labels?.version ?? d.spec?.template?.metadata?.labels?.version;
      if (!version) continue;
      const entry = byVersion.get(version) ?? { cluster: this.cluster.name, version, replicas: 0, readyReplicas: 0 };
      entry.replicas += d.spec?.replicas ?? 0;
      entry.readyReplicas += d.status?.readyReplicas ?? 0;
      byVersion.set(version, entry);
    }
    return [...byVersion.values()].sort((a, b) => (a.version < b.version ? -1 : 1));
  }

  /** Every VirtualService and DestinationRule of the namespace, both lists in parallel. */
  async routing(namespace: string): Promise<RoutingObject[]> {
    const api = this.config().makeApiClient(CustomObjectsApi);
    const kinds = Object.entries(PLURAL) as Array<[RoutingObject['kind'], string]>;
    const lists = await Promise.all(
      kinds.map(([kind, plural]) =>
        this.bounded(api.listNamespacedCustomObject({ ...ISTIO, namespace, plural })).then((list: any) =>
          (list.items ?? []).map((item: any) => ({ ...item, apiVersion: `${ISTIO.group}/${ISTIO.version}`, kind })),
        ),
      ),
    );
    return lists.flat();
  }
}
