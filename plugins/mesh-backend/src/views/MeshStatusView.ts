import { NotFoundError } from '@backstage/errors';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  classifyRouting,
  intentSummary,
  MeshClusterStatus,
  MeshStatus,
  MeshTarget,
  RoutedService,
  RoutingObject,
  serviceHost,
  writtenFor,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { labelledTarget } from '../read/labelledTarget';
import { ClusterConfig, MeshConfig } from '../config/readMeshConfig';
import { hostKey, MeshStore } from '../database/MeshStore';
import { Rollout } from '../database/RolloutStore';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { MeshInventory } from '../kubernetes/meshInventory';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';
import { ClusterClient } from '../kubernetes/ClusterClient';
import { MeshMetrics } from '../telemetry/MeshMetrics';

type ClusterRead = {
  status: MeshClusterStatus;
  inventory?: MeshInventory;
  /** Our VirtualServices and HTTPRoutes, on a config cluster. */
  routing?: RoutingObject[];
  client?: ClusterClient;
};

/**
 * A mesh as its status page shows it: every cluster read in parallel from its watch cache (istiod,
 * namespaces and sidecar counts, and on config clusters our routing objects; only the version is
 * asked), what its proxies use (from the mesh's Prometheus), and the services the portal routes
 * with their last change. A cluster that does not answer is shown unreachable; the rest still is.
 */
export class MeshStatusView {
  constructor(
    private readonly registry: ClusterRegistry,
    private readonly store: Pick<MeshStore, 'history' | 'rollouts'>,
    private readonly proxies?: Pick<MeshMetrics, 'proxyResources'>,
  ) {}

  /** What the proxies use, from the mesh's Prometheus; a failure says why, the page still shows. */
  private async proxyResources(
    mesh: MeshConfig,
  ): Promise<Pick<MeshStatus, 'proxyResources' | 'proxyResourcesError'>> {
    if (!mesh.prometheus || !this.proxies) return {};
    try {
      return { proxyResources: await this.proxies.proxyResources(mesh) };
    } catch (e) {
      return { proxyResourcesError: (e as Error).message };
    }
  }

  async status(meshId: string): Promise<MeshStatus> {
    const mesh = this.registry.mesh(meshId);
    if (!mesh) throw new NotFoundError(`no mesh ${meshId} is configured`);
    const [reads, resources] = await Promise.all([
      Promise.all(mesh.clusters.map(c => this.readCluster(mesh, c))),
      this.proxyResources(mesh),
    ]);
    return {
      ...resources,
      id: mesh.id,
      kind: mesh.placement.kind,
      configClusters: mesh.placement.configClusters,
      clusters: reads.map(r => r.status),
      controlPlanes: reads.flatMap(r => r.inventory?.controlPlanes ?? []),
      namespaces: reads.flatMap(r => r.inventory?.namespaces ?? []),
      services: await this.routedServices(mesh, reads),
      ...(mesh.namespaces.length
        ? {}
        : {
            warnings: [
              `Mesh ${mesh.id} binds no namespace to owning groups (mesh.meshes[].namespaces[].owners). Where a namespace does not name its owners itself (the mesh.meshtraffic.io/owners annotation), the first catalog entity to name an unclaimed host may write its routing.`,
            ],
          }),
    };
  }

  private async readCluster(
    mesh: MeshConfig,
    cluster: ClusterConfig,
  ): Promise<ClusterRead> {
    const client = this.registry.client(cluster);
    const base: MeshClusterStatus = {
      name: cluster.name,
      role: cluster.role,
      ...(cluster.network ? { network: cluster.network } : {}),
      ...(cluster.region ? { region: cluster.region } : {}),
      reachable: false,
    };
    const isConfig = mesh.placement.configClusters.includes(cluster.name);
    try {
      const [kubernetesVersion, inventory, routing] = await Promise.all([
        client.kubernetesVersion(),
        client.meshInventory(mesh.controlPlaneNamespace),
        isConfig ? client.cache.ourRouting() : Promise.resolve(undefined),
      ]);
      return {
        status: { ...base, reachable: true, kubernetesVersion },
        inventory,
        routing,
        client,
      };
    } catch (e) {
      return {
        status: { ...base, error: describeClusterError(e) },
      };
    }
  }

  /** Our VirtualServices and HTTPRoutes on the config clusters, one row per entity, with its last change. */
  private async routedServices(
    mesh: MeshConfig,
    reads: ClusterRead[],
  ): Promise<RoutedService[]> {
    const targets = new Map<string, MeshTarget>();
    for (const read of reads)
      for (const o of read.routing ?? []) {
        const entityRef =
          o.kind === 'VirtualService' || o.kind === 'HTTPRoute'
            ? writtenFor(o)
            : undefined;
        if (entityRef)
          targets.set(
            entityRef,
            labelledTarget(
              {
                mesh: mesh.id,
                namespace: o.metadata.namespace,
                service: o.metadata.name,
                entityRef,
              },
              mesh,
            ),
          );
      }
    const services = await Promise.all(
      [...targets.values()].map(t => this.routedService(t, reads)),
    );
    return services.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  private async routedService(
    target: MeshTarget,
    reads: ClusterRead[],
  ): Promise<RoutedService> {
    // Each row reads its own host's objects from the cache's indexes: the page costs the routed
    // services, not the mesh. A cluster whose watch broke since it was read is left out of the row.
    const held: Array<{
      cluster: string;
      classified: ReturnType<typeof classifyRouting>;
    }> = [];
    for (const r of reads.filter(x => x.routing && x.client)) {
      const routing = await r
        .client!.cache.routingFor(target)
        .catch(() => undefined);
      if (!routing) continue;
      const classified = classifyRouting(target, routing);
      if (classified.objects.some(o => o.status !== 'foreign'))
        held.push({ cluster: r.status.name, classified });
    }
    // Rows are classified one macrotask each: a page of many routed services never holds the loop.
    await yieldToLoop();
    const [[last], rollout] = await Promise.all([
      this.store.history(target.entityRef, 1),
      this.store.rollouts.inProgress(hostKey(target)),
    ]);
    // During a rollout the clusters hold different intents: the one it rolls out is the summary.
    const intent =
      rollout?.intentAfter ??
      held.find(h => h.classified.intent)?.classified.intent;
    return {
      entityRef: target.entityRef,
      host: serviceHost(target),
      summary: intent ? intentSummary(intent) : 'edited by hand since applied',
      clusters: held.map(h => ({
        cluster: h.cluster,
        status: h.classified.objects.some(o => o.status === 'drifted')
          ? 'drifted'
          : 'ours',
      })),
      ...(last
        ? {
            lastChange: {
              actor: last.actor,
              ...(last.onBehalfOf ? { onBehalfOf: last.onBehalfOf } : {}),
              at: last.createdAt,
              state: last.state,
            },
          }
        : {}),
      ...(rollout ? { rollout: rolloutSummary(rollout) } : {}),
    };
  }
}

/** A rollout in progress as the status page's row shows it. */
function rolloutSummary(r: Rollout): NonNullable<RoutedService['rollout']> {
  return {
    id: r.id,
    status: r.status as 'baking' | 'paused',
    wavesDone: r.waves.filter(w => w.status === 'done').length,
    waves: r.waves.length,
    ...(r.status === 'baking' && r.nextAt
      ? { nextCheckAt: new Date(r.nextAt).toISOString() }
      : {}),
  };
}
