import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  canonicalJson,
  ClassifiedRouting,
  explicitPort,
  classifyRouting,
  classifyVersionObjects,
  ServiceObject,
  ServicePort,
  ClusterState,
  fingerprint,
  MeshTarget,
  RoutingObject,
  concernsHost,
  otherAllowPolicies,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { labelledTarget } from './labelledTarget';
import { isNamespaceAllowed, MeshConfig } from '../config/readMeshConfig';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { HostClaims } from '../ownership/HostClaims';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';

/** What the backend read from each cluster, before classification; kept for plan and apply. */
export interface LiveCluster {
  cluster: string;
  isConfigCluster: boolean;
  reachable: boolean;
  error?: string;
  /** The routing objects that concern the host, in any namespace (config clusters; our version Services on the others). */
  routing: RoutingObject[];
  /** The ports of the service's own Service here, when it has one (config clusters only). */
  servicePorts?: ServicePort[];
  /** The intent our objects there express, when they are ours and unchanged. */
  intent?: TrafficIntent;
  /** ALLOW policies besides ours that may select the service's workloads (config clusters). */
  otherAllowPolicies?: string[];
  state: ClusterState;
}

export interface LiveState {
  mesh: MeshConfig;
  target: MeshTarget;
  clusters: LiveCluster[];
  revision: string;
  intent?: TrafficIntent;
}

/** The ports of the service's own Service among a cluster's objects. */
function portsOf(
  objects: RoutingObject[],
  target: MeshTarget,
): ServicePort[] | undefined {
  const own = objects.find(
    o =>
      o.kind === 'Service' &&
      o.metadata.name === target.service &&
      o.metadata.namespace === target.namespace,
  ) as ServiceObject | undefined;
  return own?.spec.ports?.map(explicitPort);
}

/**
 * The revision: a fingerprint of the host's routing objects on every config cluster, and of our
 * version Services on every other cluster that holds any, as live.
 */
export function revisionOf(clusters: LiveCluster[]): string {
  const parts = clusters
    .filter(c => c.isConfigCluster || c.routing.length)
    .map(c => ({
      cluster: c.cluster,
      reachable: c.reachable,
      objects: c.routing
        .map(
          o =>
            `${o.kind}/${o.metadata.namespace}/${o.metadata.name}@${
              o.metadata.uid ?? ''
            }:${o.metadata.resourceVersion ?? ''}`,
        )
        .sort(),
    }));
  return fingerprint(canonicalJson(parts));
}

/**
 * Reads a service's state from every cluster of its mesh, from the clusters' watch caches:
 * workloads everywhere, routing objects where config takes effect. A cluster whose cache has not
 * synced or whose watch is broken reads as unreachable, saying since when, so no plan is made on
 * what may be stale.
 */
export class LiveStateReader {
  constructor(
    private readonly registry: ClusterRegistry,
    private readonly claims?: HostClaims,
  ) {}

  /** Other catalog entities whose annotations name the host. */
  otherClaimants(target: MeshTarget): Promise<string[]> {
    return this.claims?.otherClaimants(target) ?? Promise.resolve([]);
  }

  /** The mesh of a target, after checking the target may be managed at all. */
  meshFor(target: MeshTarget): MeshConfig {
    const mesh = this.registry.mesh(target.mesh);
    if (!mesh)
      throw new NotFoundError(
        `mesh ${target.mesh} is not configured in this portal (mesh.meshes)`,
      );
    if (!isNamespaceAllowed(mesh, target.namespace)) {
      throw new NotAllowedError(
        `namespace ${target.namespace} is not one mesh ${mesh.id} lets the portal manage`,
      );
    }
    return mesh;
  }

  async read(target: MeshTarget): Promise<LiveState> {
    const mesh = this.meshFor(target);
    const { configClusters } = mesh.placement;
    const clusters = await Promise.all(
      mesh.clusters.map(async (cluster): Promise<LiveCluster> => {
        const client = this.registry.client(cluster);
        const isConfigCluster = configClusters.includes(cluster.name);
        const base = { cluster: cluster.name, isConfigCluster };
        try {
          const [workloads, routing] = await Promise.all([
            client.workloads(
              target.namespace,
              target.service,
              mesh.workloadLabels,
            ),
            isConfigCluster
              ? client.cache.routingFor(target)
              : client.cache.versionServices(target),
          ]);
          const servicePorts = portsOf(routing, target);
          const labelled = labelledTarget(target, mesh, servicePorts);
          const forHost = routing.filter(o => concernsHost(o, target));
          const classified: ClassifiedRouting = isConfigCluster
            ? classifyRouting(labelled, routing, { gitOps: mesh.gitOps })
            : {
                objects: classifyVersionObjects(labelled, routing, {
                  gitOps: mesh.gitOps,
                }),
              };
          const others = isConfigCluster
            ? otherAllowPolicies(labelled, routing)
            : [];
          return {
            ...base,
            reachable: true,
            routing: forHost,
            ...(others.length ? { otherAllowPolicies: others } : {}),
            ...(servicePorts ? { servicePorts } : {}),
            intent: classified.intent,
            state: {
              ...base,
              role: cluster.role,
              reachable: true,
              workloads,
              routing: classified.objects,
              ...(classified.intent ? { intent: classified.intent } : {}),
              ...(classified.handEdit ? { handEdit: classified.handEdit } : {}),
            },
          };
        } catch (e) {
          const error = describeClusterError(e);
          return {
            ...base,
            reachable: false,
            error,
            routing: [],
            state: {
              ...base,
              role: cluster.role,
              reachable: false,
              error,
              workloads: [],
              routing: [],
            },
          };
        }
      }),
    );
    const live = {
      mesh,
      target,
      clusters,
      revision: revisionOf(clusters),
      intent: agreedIntent(clusters),
    };
    return live;
  }
}

/**
 * The other catalog entity whose objects hold the host's routing: the first claim wins, and the
 * live objects' entity-ref annotation is the record of it.
 */
export function holderOf(live: LiveState): string | undefined {
  return live.clusters
    .flatMap(c => c.state.routing)
    .find(
      o =>
        o.status === 'foreign' && o.ownerEntityRef && o.adoption === 'rewrite',
    )?.ownerEntityRef;
}

/** Whether the reachable config clusters hold different intents of this entity (or some hold none). */
export function clustersDisagree(live: LiveState): boolean {
  const config = live.clusters.filter(c => c.isConfigCluster && c.reachable);
  const first = canonicalJson(config[0]?.intent ?? null);
  return config.some(c => canonicalJson(c.intent ?? null) !== first);
}

/** The intent our objects express, when every reachable config cluster holds the same one. */
function agreedIntent(clusters: LiveCluster[]): TrafficIntent | undefined {
  const intents = clusters
    .filter(c => c.isConfigCluster && c.reachable)
    .map(c => c.intent);
  if (!intents.length || intents.some(i => !i)) return undefined;
  const first = canonicalJson(intents[0]);
  return intents.every(i => canonicalJson(i) === first)
    ? intents[0]
    : undefined;
}
