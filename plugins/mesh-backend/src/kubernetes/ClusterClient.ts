import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AppsV1Api,
  Configuration,
  CoreV1Api,
  ConfigurationOptions,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import {
  RoutingObject,
  VERSION_OF_LABEL,
  WorkloadVersion,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig, WorkloadLabels } from '../config/readMeshConfig';
import { MeshAuthStrategy } from '@meshtraffic/backstage-plugin-mesh-node';
import { CredentialCache } from '../auth/CredentialCache';
import {
  ClusterAuthentication,
  makeClusterApiClient,
} from './clusterAuthentication';
import {
  classifyClusterError,
  ClusterCredentialError,
  isConnectionReset,
} from './clusterErrors';
import { withDeadline } from './requestDeadline';
import { MeshInventory, readMeshInventory } from './meshInventory';
import { CUSTOM_KINDS, KindAccess, kindAccess } from './routingResources';

/** An absent kind (a cluster without Gateway API's CRDs has no HTTPRoutes) lists as empty. */
const noneWhenAbsent = (e: unknown) => {
  if (classifyClusterError(e).status === 404) return { items: [] };
  throw e;
};

/** The one field manager every write of the product uses, so ownership is stable across replicas. */
export const FIELD_MANAGER = 'backstage-mesh-traffic';

/** Lists of the routing kinds, cluster-wide: a host can be routed from any namespace. */
const LISTED: Array<keyof typeof CUSTOM_KINDS> = [
  'VirtualService',
  'DestinationRule',
  'HTTPRoute',
];

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
    kinds: Record<RoutingObject['kind'], KindAccess>;
  };

  private readonly credentials: CredentialCache;

  constructor(
    readonly cluster: ClusterConfig,
    strategy: MeshAuthStrategy,
    private readonly logger?: LoggerService,
  ) {
    this.credentials = new CredentialCache(
      strategy,
      cluster,
      Date.now,
      cluster.requestTimeoutMs,
    );
  }

  /** The API clients, made once: they share the cluster's kept-alive connections. */
  private api() {
    if (!this.apis) {
      const authentication = new ClusterAuthentication(
        this.cluster,
        this.credentials,
        this.logger,
      );
      const make = <T>(ApiClient: new (config: Configuration) => T) =>
        makeClusterApiClient(this.cluster, authentication, ApiClient);
      const core = make(CoreV1Api);
      const custom = make(CustomObjectsApi);
      this.apis = {
        apps: make(AppsV1Api),
        core,
        version: make(VersionApi),
        custom,
        kinds: kindAccess({ core, custom }),
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
      // The deadline passed while this call's credential was still being asked for: nothing was
      // sent, and the strategy, not the cluster, is what to look at.
      timeout =>
        new ClusterCredentialError(
          this.cluster.name,
          this.cluster.authProvider,
          timeout,
        ),
    ).catch(e => {
      // A revoked or rotated credential: the next request fetches a new one.
      if (classifyClusterError(e).status === 401) this.credentials.forget();
      throw e;
    });
  }

  /**
   * A read, sent again once when the connection broke before an answer: the server may close a
   * kept-alive connection while idle just as a request goes out on it. Writes are not repeated:
   * their unknown outcome is resolved by reading back.
   */
  private read<T>(
    call: (options: ConfigurationOptions) => Promise<T>,
  ): Promise<T> {
    return this.bounded(call).catch(e => {
      if (!isConnectionReset(e)) throw e;
      return this.bounded(call);
    });
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
      this.read(options =>
        apps.listNamespacedDeployment({ namespace, labelSelector }, options),
      ),
      this.read(options =>
        apps.listNamespacedStatefulSet({ namespace, labelSelector }, options),
      ),
      this.read(options =>
        custom.listNamespacedCustomObject(
          { ...ARGO_ROLLOUTS, namespace, labelSelector },
          options,
        ),
      ).catch(noneWhenAbsent),
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
    const info = await this.read(options => api.getCode(options));
    return info.gitVersion;
  }

  /** A namespace's labels and annotations, or undefined when the cluster has no such namespace. */
  async namespaceMetadata(
    name: string,
  ): Promise<
    | { labels: Record<string, string>; annotations: Record<string, string> }
    | undefined
  > {
    const { core } = this.api();
    try {
      const ns = await this.read(options =>
        core.readNamespace({ name }, options),
      );
      return {
        labels: ns.metadata?.labels ?? {},
        annotations: ns.metadata?.annotations ?? {},
      };
    } catch (e) {
      if (classifyClusterError(e).status === 404) return undefined;
      throw e;
    }
  }

  /** The cluster's istiod Deployments and, per namespace, its injection label and sidecars. */
  async meshInventory(controlPlaneNamespace: string): Promise<MeshInventory> {
    return readMeshInventory(
      this.cluster.name,
      this.api(),
      controlPlaneNamespace,
      call => this.read(call),
    );
  }

  /**
   * Every VirtualService, DestinationRule and HTTPRoute of the cluster, and the Services of the
   * service's namespace (an HTTPRoute's backends, our version Services among them; without a
   * namespace, our version Services everywhere), all lists in
   * parallel: a host can be routed from any namespace, and a second object for it elsewhere is a
   * conflict to report. A cluster without Gateway API's CRDs has no HTTPRoutes.
   */
  async routing(namespace?: string): Promise<RoutingObject[]> {
    const { custom } = this.api();
    const lists = await Promise.all([
      ...LISTED.map(kind =>
        this.read(options =>
          custom.listClusterCustomObject(CUSTOM_KINDS[kind], options),
        )
          .catch(noneWhenAbsent)
          .then((list: any) =>
            (list.items ?? []).map((item: any) => ({
              ...item,
              apiVersion: `${CUSTOM_KINDS[kind].group}/${CUSTOM_KINDS[kind].version}`,
              kind,
            })),
          ),
      ),
      namespace
        ? this.services(namespace)
        : this.services(undefined, VERSION_OF_LABEL),
    ]);
    return lists.flat();
  }

  /**
   * The Services of a namespace (every namespace without one) that a label selector picks, if
   * given: e.g. our version Services on a remote.
   */
  async services(
    namespace?: string,
    labelSelector?: string,
  ): Promise<RoutingObject[]> {
    const { core } = this.api();
    const selector = labelSelector ? { labelSelector } : {};
    const list = await this.read(options =>
      namespace
        ? core.listNamespacedService({ namespace, ...selector }, options)
        : core.listServiceForAllNamespaces(selector, options),
    );
    return list.items.map(
      item => ({ ...item, apiVersion: 'v1', kind: 'Service' } as any),
    );
  }

  /** One routing object as it is now, or undefined when it does not exist: to learn a write's unknown outcome. */
  async get(
    kind: RoutingObject['kind'],
    namespace: string,
    name: string,
  ): Promise<RoutingObject | undefined> {
    const access = this.api().kinds[kind];
    try {
      const found = await this.read(options =>
        access.get(namespace, name, options),
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
    const access = this.api().kinds[obj.kind];
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
        access.patch(
          obj.metadata.namespace!,
          obj.metadata.name,
          body,
          {
            fieldManager: FIELD_MANAGER,
            force: true,
            ...(options.dryRun ? { dryRun: 'All' as const } : {}),
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
    const access = this.api().kinds[obj.kind];
    const result = await this.bounded(o =>
      access.create(
        obj.metadata.namespace!,
        obj,
        { fieldManager: FIELD_MANAGER },
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
    const access = this.api().kinds[obj.kind];
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion } };
    const result = await this.bounded(o =>
      access.replace(
        obj.metadata.namespace!,
        obj.metadata.name,
        body,
        { fieldManager: FIELD_MANAGER },
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
    const access = this.api().kinds[kind];
    const body =
      preconditions.resourceVersion || preconditions.uid
        ? { preconditions }
        : undefined;
    await this.bounded(o => access.remove(namespace, name, body, o));
  }
}
