import { AppsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { RoutingObject, WorkloadVersion } from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig } from '../config/readMeshConfig';
import { KeepAliveAuthentication, makeKeepAliveClient } from './keepAliveClient';
import { kubeConfigFor } from './kubeConfigFor';
import { withTimeout } from './withTimeout';

const ISTIO = { group: 'networking.istio.io', version: 'v1' };
/** The one field manager every write of the product uses, so ownership is stable across replicas. */
export const FIELD_MANAGER = 'backstage-mesh-traffic';

const PLURAL: Record<RoutingObject['kind'], string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
};

/**
 * The calls the mesh backend makes to one cluster, through @kubernetes/client-node, each bounded
 * by the cluster's request timeout. Knows nothing of sandboxes: a real API server answers the same.
 */
export class ClusterClient {
  private apis?: { apps: AppsV1Api; custom: CustomObjectsApi };

  constructor(readonly cluster: ClusterConfig) {}

  /** The API clients, made once: they share the cluster's kept-alive connections. */
  private api() {
    if (!this.apis) {
      const kubeConfig = kubeConfigFor(this.cluster);
      const authentication = new KeepAliveAuthentication(kubeConfig);
      this.apis = {
        apps: makeKeepAliveClient(kubeConfig, authentication, AppsV1Api),
        custom: makeKeepAliveClient(kubeConfig, authentication, CustomObjectsApi),
      };
    }
    return this.apis;
  }

  private bounded<T>(work: Promise<T>): Promise<T> {
    return withTimeout(this.cluster.name, this.cluster.requestTimeoutMs, work);
  }

  /** The service's versions here: Deployments labelled `app=<service>`, by their `version` label. */
  async workloads(namespace: string, service: string): Promise<WorkloadVersion[]> {
    const api = this.api().apps;
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

  /**
   * Every VirtualService and DestinationRule of the cluster, both lists in parallel: a host can be
   * routed from any namespace, and a second object for it elsewhere is a conflict to report.
   */
  async routing(): Promise<RoutingObject[]> {
    const api = this.api().custom;
    const kinds = Object.entries(PLURAL) as Array<[RoutingObject['kind'], string]>;
    const lists = await Promise.all(
      kinds.map(([kind, plural]) =>
        this.bounded(api.listClusterCustomObject({ ...ISTIO, plural })).then((list: any) =>
          (list.items ?? []).map((item: any) => ({ ...item, apiVersion: `${ISTIO.group}/${ISTIO.version}`, kind })),
        ),
      ),
    );
    return lists.flat();
  }

  /**
   * Server-side apply of one routing object with the product's field manager. `force` takes over
   * fields another manager owns: callers only reach here for objects that are ours or adopted.
   */
  async apply(obj: RoutingObject, options: { dryRun?: boolean } = {}): Promise<RoutingObject> {
    const api = this.api().custom;
    const result = await this.bounded(
      api.patchNamespacedCustomObject(
        {
          ...ISTIO,
          namespace: obj.metadata.namespace,
          plural: PLURAL[obj.kind],
          name: obj.metadata.name,
          body: obj,
          fieldManager: FIELD_MANAGER,
          force: true,
          ...(options.dryRun ? { dryRun: 'All' } : {}),
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    return { ...result, kind: obj.kind };
  }

  async remove(kind: RoutingObject['kind'], namespace: string, name: string): Promise<void> {
    const api = this.api().custom;
    await this.bounded(api.deleteNamespacedCustomObject({ ...ISTIO, namespace, plural: PLURAL[kind], name }));
  }
}
