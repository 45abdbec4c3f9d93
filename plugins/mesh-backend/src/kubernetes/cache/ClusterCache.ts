import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MeshTarget,
  RoutingObject,
  serviceHost,
  WorkloadVersion,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { WorkloadLabels } from '../../config/readMeshConfig';
import { ClusterCacheStaleError } from '../clusterErrors';
import { controlPlanesOf, injectionOf, MeshInventory } from '../meshInventory';
import { Keyed } from './ObjectIndex';
import {
  ARGO_ROLLOUTS,
  AUTHORIZATION_POLICIES,
  CachedNamespace,
  CachedWorkload,
  DEPLOYMENTS,
  DESTINATION_RULES,
  HTTP_ROUTES,
  NAMESPACES,
  PODS,
  SERVICES,
  STATEFUL_SETS,
  VIRTUAL_SERVICES,
  WatchedKind,
} from './watchedKinds';
import {
  CollectionHealth,
  CollectionOptions,
  DEFAULT_COLLECTION_OPTIONS,
  WatchedCollection,
} from './WatchedCollection';
import { WatchTransport } from './WatchTransport';

const ROUTING_KINDS = [
  VIRTUAL_SERVICES,
  DESTINATION_RULES,
  HTTP_ROUTES,
  AUTHORIZATION_POLICIES,
];

/**
 * What the backend knows of one cluster, kept by watches and shared by every request and feature
 * of this replica: routing objects and Services indexed by host, name, version label and
 * namespace; workloads by namespace; namespaces; pods as counts. A kind is watched from the
 * first read that needs it (a remote never watches VirtualServices). Reads make no request.
 */
export class ClusterCache {
  private readonly collections = new Map<string, WatchedCollection<any>>();
  private stopped = false;

  constructor(
    private readonly cluster: string,
    private readonly transport: WatchTransport,
    /** How long a read waits for a kind's first list before calling the cluster not synced. */
    private readonly syncWaitMs: number,
    private readonly logger?: LoggerService,
    private readonly options: CollectionOptions = DEFAULT_COLLECTION_OPTIONS,
  ) {}

  private collection<T extends Keyed>(
    kind: WatchedKind<T>,
  ): WatchedCollection<T> {
    if (this.stopped)
      throw new ClusterCacheStaleError(
        `cluster ${this.cluster}: its watches are stopped (the backend is shutting down)`,
      );
    let c = this.collections.get(kind.kind);
    if (!c) {
      c = new WatchedCollection(
        kind,
        this.transport,
        this.cluster,
        this.logger,
        this.options,
      );
      this.collections.set(kind.kind, c);
    }
    return c;
  }

  /** Starts the watches a config cluster's reads need (or a remote's), before the first page asks. */
  warm(configCluster: boolean) {
    const kinds = configCluster
      ? [...ROUTING_KINDS, SERVICES, DEPLOYMENTS, STATEFUL_SETS, ARGO_ROLLOUTS]
      : [SERVICES, DEPLOYMENTS, STATEFUL_SETS, ARGO_ROLLOUTS];
    for (const k of kinds) this.collection(k as WatchedKind<any>).start();
  }

  /** Waits for the kinds' first lists and refuses a read on a broken watch. */
  private async ready(kinds: WatchedKind<any>[]) {
    const collections = kinds.map(k => this.collection(k));
    const synced = await Promise.all(
      collections.map(c => c.whenSynced(this.syncWaitMs)),
    );
    const notSynced = collections.filter((_, i) => !synced[i]);
    if (notSynced.length) {
      const h = notSynced[0].health();
      throw new ClusterCacheStaleError(
        `cluster ${this.cluster}: the ${notSynced
          .map(c => c.kind.kind)
          .join(', ')} cache has not synced yet${
          h.brokenSince ? ` (failing since ${h.brokenSince}: ${h.error})` : ''
        }`,
      );
    }
    const broken = collections.map(c => c.health()).filter(h => h.brokenSince);
    if (broken.length)
      throw new ClusterCacheStaleError(
        `cluster ${this.cluster}: the ${broken
          .map(h => h.kind)
          .join(', ')} watch has been broken since ${broken[0].brokenSince} (${
          broken[0].error
        }); its state may be stale`,
      );
    return collections;
  }

  /**
   * The routing objects that concern a host, found by the indexes (the host it routes, the name
   * ours would have, the version label), the Services of its namespace (an HTTPRoute's possible
   * backends) and its AuthorizationPolicies (ours, and the others that may admit callers): what
   * the host's classification needs, whatever the mesh's size.
   */
  async routingFor(
    target: Pick<MeshTarget, 'namespace' | 'service'>,
  ): Promise<RoutingObject[]> {
    const collections = await this.ready([...ROUTING_KINDS, SERVICES]);
    const host = serviceHost(target);
    const at = `${target.namespace}/${target.service}`;
    const found = new Map<string, RoutingObject>();
    const add = (o: RoutingObject) =>
      found.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o);
    for (const c of collections as WatchedCollection<RoutingObject>[]) {
      if (c.kind === SERVICES) {
        c.find('namespace', target.namespace).forEach(add);
        c.find('versionOf', at).forEach(add);
        continue;
      }
      // The namespace's policies: whether others than ours decide who may call the service.
      if (c.kind === AUTHORIZATION_POLICIES) {
        c.find('namespace', target.namespace).forEach(add);
        continue;
      }
      c.find('host', host).forEach(add);
      c.find('name', at).forEach(add);
      c.find('versionOf', at).forEach(add);
    }
    return [...found.values()];
  }

  /** Our version Services of a host on a cluster that holds no routing config. */
  async versionServices(
    target: Pick<MeshTarget, 'namespace' | 'service'>,
  ): Promise<RoutingObject[]> {
    const [services] = await this.ready([SERVICES]);
    return (services as WatchedCollection<RoutingObject>).find(
      'versionOf',
      `${target.namespace}/${target.service}`,
    );
  }

  /** Every VirtualService and HTTPRoute the product wrote here: the status page's rows. */
  async ourRouting(): Promise<RoutingObject[]> {
    // With Services: each row then reads its host through routingFor, which needs them too.
    const collections = await this.ready([...ROUTING_KINDS, SERVICES]);
    return collections
      .filter(c => c.kind !== SERVICES)
      .flatMap(c =>
        (c as WatchedCollection<RoutingObject>).find('ours', 'ours'),
      );
  }

  /** A service's Deployments, StatefulSets and Argo Rollouts here, by its app label. */
  private async controllers(
    namespace: string,
    service: string,
    labels: WorkloadLabels,
  ): Promise<CachedWorkload[]> {
    const collections = await this.ready([
      DEPLOYMENTS,
      STATEFUL_SETS,
      ARGO_ROLLOUTS,
    ]);
    return collections
      .flatMap(c =>
        (c as WatchedCollection<CachedWorkload>).find('namespace', namespace),
      )
      .filter(w => w.metadata.labels?.[labels.app] === service);
  }

  /** A service's versions here, from its controllers. */
  async workloads(
    namespace: string,
    service: string,
    labels: WorkloadLabels,
  ): Promise<WorkloadVersion[]> {
    const controllers = await this.controllers(namespace, service, labels);
    return workloadVersions(this.cluster, labels.version, controllers);
  }

  /**
   * The service accounts a service's pods run as here (`default` when a controller names none):
   * the identities its calls carry.
   */
  async serviceAccounts(
    namespace: string,
    service: string,
    labels: WorkloadLabels,
  ): Promise<string[]> {
    const accounts = (await this.controllers(namespace, service, labels)).map(
      w => w.spec.template.spec.serviceAccountName ?? 'default',
    );
    return [...new Set(accounts)].sort();
  }

  /** istiod's Deployments and, per namespace, its injection and its pods with and without sidecars. */
  async inventory(controlPlaneNamespace: string): Promise<MeshInventory> {
    const [deployments, namespaces, pods] = await this.ready([
      DEPLOYMENTS,
      NAMESPACES,
      PODS,
    ]);
    const istiod = (deployments as WatchedCollection<CachedWorkload>)
      .find('namespace', controlPlaneNamespace)
      .filter(d => d.metadata.labels?.app === 'istiod');
    return {
      controlPlanes: controlPlanesOf(this.cluster, istiod as any),
      namespaces: (namespaces as WatchedCollection<CachedNamespace>)
        .find('all', 'all')
        .map(ns => {
          const name = ns.metadata.name;
          const injection = injectionOf(ns.metadata.labels);
          const down = pods.count('proxyDown', name);
          return {
            cluster: this.cluster,
            namespace: name,
            ...(injection ? { injection } : {}),
            pods: pods.count('namespace', name),
            injectedPods: pods.count('injected', name),
            ...(down ? { proxiesNotReady: down } : {}),
          };
        })
        .filter(n => n.pods > 0 || n.injection)
        .sort((a, b) => a.namespace.localeCompare(b.namespace)),
    };
  }

  /** Our own write's answer, so the next read shows it. */
  observe(kind: string, object: unknown) {
    this.collections.get(kind)?.observe(object);
  }

  observeDeleted(kind: string, namespace: string, name: string) {
    this.collections.get(kind)?.observeDeleted(namespace, name);
  }

  health(): CollectionHealth[] {
    return [...this.collections.values()].map(c => c.health());
  }

  stop() {
    this.stopped = true;
    for (const c of this.collections.values()) c.stop();
  }
}

/** Controllers summed per version label (or their pods' template label). */
function workloadVersions(
  cluster: string,
  versionLabel: string,
  controllers: CachedWorkload[],
): WorkloadVersion[] {
  const byVersion = new Map<string, WorkloadVersion>();
  for (const c of controllers) {
    const version =
      c.metadata.labels?.[versionLabel] ??
      c.spec.template.metadata.labels?.[versionLabel];
    if (!version) continue;
    const entry = byVersion.get(version) ?? {
      cluster,
      version,
      replicas: 0,
      readyReplicas: 0,
    };
    entry.replicas += c.spec.replicas ?? 0;
    entry.readyReplicas += c.status.readyReplicas ?? 0;
    byVersion.set(version, entry);
  }
  return [...byVersion.values()].sort((a, b) =>
    a.version < b.version ? -1 : 1,
  );
}
