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
import { MeshInventory } from './meshInventory';
import { KindAccess, kindAccess } from './routingResources';
import { ClusterCache } from './cache/ClusterCache';
import { DEFAULT_COLLECTION_OPTIONS } from './cache/WatchedCollection';
import { clusterWatchTransport } from './clusterWatchTransport';

/** The one field manager every write of the product uses, so ownership is stable across replicas. */
export const FIELD_MANAGER = 'backstage-mesh-traffic';

/**
 * The calls the mesh backend makes to one cluster, through @kubernetes/client-node, each bounded
 * by the cluster's request timeout, which aborts the request itself; and the cluster's watch
 * cache, which every read goes through. Knows nothing of sandboxes: a real API server answers the same.
 */
export class ClusterClient {
  private apis?: {
    apps: AppsV1Api;
    core: CoreV1Api;
    custom: CustomObjectsApi;
    version: VersionApi;
    kinds: Record<RoutingObject['kind'], KindAccess>;
  };

  private readonly credentials: CredentialCache;
  private watched?: ClusterCache;

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

  private authentication?: ClusterAuthentication;

  private auth(): ClusterAuthentication {
    this.authentication ??= new ClusterAuthentication(
      this.cluster,
      this.credentials,
      this.logger,
    );
    return this.authentication;
  }

  /**
   * The cluster's watch cache: made on first use, shared by every read of this replica, stopped
   * with the backend. Over the same authentication and connections as every other call.
   */
  get cache(): ClusterCache {
    this.watched ??= new ClusterCache(
      this.cluster.name,
      clusterWatchTransport(this.cluster, this.auth(), () =>
        this.credentials.forget(),
      ),
      Math.max(this.cluster.requestTimeoutMs, 10_000),
      this.logger,
      {
        ...DEFAULT_COLLECTION_OPTIONS,
        openTimeoutMs: Math.max(this.cluster.requestTimeoutMs, 5_000),
      },
    );
    return this.watched;
  }

  /** Stops the cluster's watches. */
  close() {
    this.watched?.stop();
  }

  /** The API clients, made once: they share the cluster's kept-alive connections. */
  private api() {
    if (!this.apis) {
      const authentication = this.auth();
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

  /** The service's versions here: its Deployments, StatefulSets and Argo Rollouts labelled `app=<service>`. */
  workloads(
    namespace: string,
    service: string,
    labels: WorkloadLabels = { app: 'app', version: 'version' },
  ): Promise<WorkloadVersion[]> {
    return this.cache.workloads(namespace, service, labels);
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
  meshInventory(controlPlaneNamespace: string): Promise<MeshInventory> {
    return this.cache.inventory(controlPlaneNamespace);
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
      // What a write's unknown outcome turned out to be: the next read shows it too.
      this.watched?.observe(kind, found);
      return { ...found, kind };
    } catch (e) {
      const c = classifyClusterError(e);
      if (c.kind === 'status' && c.status === 404) {
        this.watched?.observeDeleted(kind, namespace, name);
        return undefined;
      }
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
    if (!options.dryRun) this.watched?.observe(obj.kind, result);
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
    this.watched?.observe(obj.kind, result);
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
    this.watched?.observe(obj.kind, result);
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
    this.watched?.observeDeleted(kind, namespace, name);
  }
}
