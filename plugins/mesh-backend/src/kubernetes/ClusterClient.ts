import {
  AppsV1Api,
  CoreV1Api,
  ConfigurationOptions,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import {
  RoutingObject,
  WorkloadVersion,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig, WorkloadLabels } from '../config/readMeshConfig';
import {
  KeepAliveAuthentication,
  makeKeepAliveClient,
} from './keepAliveClient';
import { kubeConfigFor } from './kubeConfigFor';
import { classifyClusterError } from './clusterErrors';
import { withDeadline } from './requestDeadline';
import { MeshInventory, readMeshInventory } from './meshInventory';

const ISTIO = { group: 'networking.istio.io', version: 'v1' };
/** The one field manager every write of the product uses, so ownership is stable across replicas. */
export const FIELD_MANAGER = 'backstage-mesh-traffic';

const PLURAL: Record<RoutingObject['kind'], string> = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
};

/** Where an object lives in the API: its group, version, namespace and plural. */
const placeOf = (obj: RoutingObject) => ({
  ...ISTIO,
  namespace: obj.metadata.namespace!,
  plural: PLURAL[obj.kind],
});

/**
 * The calls the mesh backend makes to one cluster, through @kubernetes/client-node, each bounded
 * bounded by the cluster's request timeout, which aborts the request itself. Knows nothing of sandboxes: a real API server answers the same.
 */
const ARGO_ROLLOUTS = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  plural: 'rollouts',
};

/** What the versions are read from: a Deployment, StatefulSet or Rollout. */
type Controller = {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  status?: { readyReplicas?: number };
};

/** Controllers summed per version label (or their pods' template label). */
function workloadVersions(
  cluster: string,
  versionLabel: string,
  controllers: Controller[],
): WorkloadVersion[] {
  const byVersion = new Map<string, WorkloadVersion>();
  for (const c of controllers) {
    const version =
      c.metadata?.labels?.[versionLabel] ??
      c.spec?.template?.metadata?.labels?.[versionLabel];
    if (!version) continue;
    const entry = byVersion.get(version) ?? {
      cluster,
      version,
      replicas: 0,
      readyReplicas: 0,
    };
    entry.replicas += c.spec?.replicas ?? 0;
    entry.readyReplicas += c.status?.readyReplicas ?? 0;
    byVersion.set(version, entry);
  }
  return [...byVersion.values()].sort((a, b) =>
    a.version < b.version ? -1 : 1,
  );
}

export class ClusterClient {
  private apis?: {
    apps: AppsV1Api;
    core: CoreV1Api;
    custom: CustomObjectsApi;
    version: VersionApi;
  };

  constructor(readonly cluster: ClusterConfig) {}

  /** The API clients, made once: they share the cluster's kept-alive connections. */
  private api() {
    if (!this.apis) {
      const kubeConfig = kubeConfigFor(this.cluster);
      const authentication = new KeepAliveAuthentication(kubeConfig);
      this.apis = {
        apps: makeKeepAliveClient(kubeConfig, authentication, AppsV1Api),
        core: makeKeepAliveClient(kubeConfig, authentication, CoreV1Api),
        version: makeKeepAliveClient(kubeConfig, authentication, VersionApi),
        custom: makeKeepAliveClient(
          kubeConfig,
          authentication,
          CustomObjectsApi,
        ),
      };
    }
    return this.apis;
  }

  /** One call, aborted on the wire when the cluster's request timeout passes. */
  private bounded<T>(
    call: (options: ConfigurationOptions) => Promise<T>,
    base?: ConfigurationOptions,
  ): Promise<T> {
    return withDeadline(
      this.cluster.name,
      this.cluster.requestTimeoutMs,
      call,
      base,
    );
  }

  /**
   * The service's versions here: its Deployments, StatefulSets and Argo Rollouts labelled
   * `app=<service>`, by their `version` label, listed in parallel. A cluster without Argo
   * Rollouts' CRD simply has none.
   */
  async workloads(
    namespace: string,
    service: string,
    labels: WorkloadLabels = { app: 'app', version: 'version' },
  ): Promise<WorkloadVersion[]> {
    const { apps, custom } = this.api();
    const labelSelector = `${labels.app}=${service}`;
    const [deployments, statefulSets, rollouts] = await Promise.all([
      this.bounded(options =>
        apps.listNamespacedDeployment({ namespace, labelSelector }, options),
      ),
      this.bounded(options =>
        apps.listNamespacedStatefulSet({ namespace, labelSelector }, options),
      ),
      this.bounded(options =>
        custom.listNamespacedCustomObject(
          { ...ARGO_ROLLOUTS, namespace, labelSelector },
          options,
        ),
      ).catch(e => {
        if (classifyClusterError(e).status === 404) return { items: [] };
        throw e;
      }),
    ]);
    return workloadVersions(this.cluster.name, labels.version, [
      ...deployments.items,
      ...statefulSets.items,
      ...((rollouts as { items?: Controller[] }).items ?? []),
    ]);
  }

  /** The API server's version, e.g. v1.31.0. */
  async kubernetesVersion(): Promise<string> {
    const api = this.api().version;
    const info = await this.bounded(options => api.getCode(options));
    return info.gitVersion;
  }

  /** The cluster's istiod Deployments and, per namespace, its injection label and sidecars. */
  async meshInventory(controlPlaneNamespace: string): Promise<MeshInventory> {
    return readMeshInventory(
      this.cluster.name,
      this.api(),
      controlPlaneNamespace,
      call => this.bounded(call),
    );
  }

  /**
   * Every VirtualService and DestinationRule of the cluster, both lists in parallel: a host can be
   * routed from any namespace, and a second object for it elsewhere is a conflict to report.
   */
  async routing(): Promise<RoutingObject[]> {
    const api = this.api().custom;
    const kinds = Object.entries(PLURAL) as Array<
      [RoutingObject['kind'], string]
    >;
    const lists = await Promise.all(
      kinds.map(([kind, plural]) =>
        this.bounded(options =>
          api.listClusterCustomObject({ ...ISTIO, plural }, options),
        ).then((list: any) =>
          (list.items ?? []).map((item: any) => ({
            ...item,
            apiVersion: `${ISTIO.group}/${ISTIO.version}`,
            kind,
          })),
        ),
      ),
    );
    return lists.flat();
  }

  /** One routing object as it is now, or undefined when it does not exist: to learn a write's unknown outcome. */
  async get(
    kind: RoutingObject['kind'],
    namespace: string,
    name: string,
  ): Promise<RoutingObject | undefined> {
    const api = this.api().custom;
    try {
      const found = await this.bounded(options =>
        api.getNamespacedCustomObject(
          { ...ISTIO, namespace, plural: PLURAL[kind], name },
          options,
        ),
      );
      return { ...found, kind };
    } catch (e) {
      const c = classifyClusterError(e);
      if (c.kind === 'status' && c.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * Server-side apply of one routing object with the product's field manager. `force` takes over
   * fields another manager owns: callers only reach here for objects that are ours or adopted.
   * With `resourceVersion`, the write is refused (409) unless the object is still at that version:
   * the API server checks what the plan saw, with no extra read.
   */
  async apply(
    obj: RoutingObject,
    options: { dryRun?: boolean; resourceVersion?: string } = {},
  ): Promise<RoutingObject> {
    const api = this.api().custom;
    const body = options.resourceVersion
      ? {
          ...obj,
          metadata: {
            ...obj.metadata,
            resourceVersion: options.resourceVersion,
          },
        }
      : obj;
    const result = await this.bounded(
      o =>
        api.patchNamespacedCustomObject(
          {
            ...placeOf(obj),
            name: obj.metadata.name,
            body,
            fieldManager: FIELD_MANAGER,
            force: true,
            ...(options.dryRun ? { dryRun: 'All' } : {}),
          },
          o,
        ),
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    return { ...result, kind: obj.kind };
  }

  /**
   * Creates an object that did not exist when the plan read the cluster: create-only, so an
   * object someone made meanwhile is refused (409 AlreadyExists) instead of overwritten.
   */
  async create(obj: RoutingObject): Promise<RoutingObject> {
    const api = this.api().custom;
    const result = await this.bounded(o =>
      api.createNamespacedCustomObject(
        { ...placeOf(obj), body: obj, fieldManager: FIELD_MANAGER },
        o,
      ),
    );
    return { ...result, kind: obj.kind };
  }

  /**
   * Replaces an object whole (PUT) at the resourceVersion given: for the rare update where server-side
   * apply cannot drop a field because our own create still co-owns it.
   */
  async replace(
    obj: RoutingObject,
    resourceVersion: string,
  ): Promise<RoutingObject> {
    const api = this.api().custom;
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion } };
    const result = await this.bounded(o =>
      api.replaceNamespacedCustomObject(
        {
          ...placeOf(obj),
          name: obj.metadata.name,
          body,
          fieldManager: FIELD_MANAGER,
        },
        o,
      ),
    );
    return { ...result, kind: obj.kind };
  }

  /** Deletes an object; with `resourceVersion`, only if it is still at that version (409 otherwise). */
  async remove(
    kind: RoutingObject['kind'],
    namespace: string,
    name: string,
    preconditions: { resourceVersion?: string; uid?: string } = {},
  ): Promise<void> {
    const api = this.api().custom;
    const body =
      preconditions.resourceVersion || preconditions.uid
        ? { preconditions }
        : undefined;
    await this.bounded(o =>
      api.deleteNamespacedCustomObject(
        {
          ...ISTIO,
          namespace,
          plural: PLURAL[kind],
          name,
          ...(body ? { body } : {}),
        },
        o,
      ),
    );
  }
}
