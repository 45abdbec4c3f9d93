import {
  Expires,
  resolveExpiries,
  RiskyPart,
  applyOrder,
  ClassifiedObject,
  ClusterPlan,
  generateRouting,
  generateVersionServices,
  removalOrder,
  routedVersions,
  IntentIssue,
  MeshTarget,
  objectDiff,
  objectKey,
  PlannedAction,
  PlannedObjectChange,
  RoutingObject,
  TrafficIntent,
  validateIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { labelledTarget } from '../read/labelledTarget';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { ownerOf } from '../ownership/OwnershipGuard';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';
import { decidedFields } from './decidedFields';
import {
  LiveCluster,
  LiveState,
  LiveStateReader,
} from '../read/LiveStateReader';

export type PlanResult =
  | { valid: false; issues: IntentIssue[] }
  | {
      valid: true;
      intent: TrafficIntent;
      live: LiveState;
      objects: RoutingObject[];
      clusters: ClusterPlan[];
      needsAdoption: boolean;
      adopt: boolean;
      /** Why no apply may proceed, adopt or not. */
      blocked?: string;
      /** The foreign objects the changes take over (rewrite or delete): whose owners the caller must be allowed to change. */
      takenOver: ClassifiedObject[];
      /** When the risky parts the request gave an end to end (epoch ms). */
      ends: Partial<Record<RiskyPart, number>>;
    };

/** Whether a foreign object stands in the way of writing the host's routing until someone adopts it. */
export const needsAdoption = (target: MeshTarget) => (o: ClassifiedObject) =>
  o.namespace === target.namespace && o.adoption !== 'blocked';

/** The foreign objects adopting deletes: those that route only the host, under other names. */
function deletionsOnAdopt(
  live: RoutingObject[],
  foreign: ClassifiedObject[],
  withDiffs: boolean,
): PlannedObjectChange[] {
  return foreign
    .filter(o => o.adoption === 'delete')
    .map(o => {
      const current = live.find(l => objectKey(l) === objectKey(o));
      return {
        kind: o.kind,
        name: o.name,
        namespace: o.namespace,
        action: 'delete' as const,
        diff: withDiffs
          ? objectDiff(`${o.kind}/${o.name}`, current, undefined)
          : '',
        object: current,
        takesOverFrom: ownerOf(o),
      };
    });
}

function actionFor(
  live: RoutingObject | undefined,
  planned: RoutingObject,
): PlannedAction {
  if (!live) return 'create';
  return decidedFields(live) === decidedFields(planned)
    ? 'unchanged'
    : 'update';
}

/**
 * Our objects a cluster holds that the intent no longer generates there: a version no longer
 * routed, or the other routing API's objects after the mesh changed its routingApi. Deleted after
 * the new objects are written (make before break).
 */
function leftBehind(
  live: LiveCluster,
  desired: RoutingObject[],
  withDiffs: boolean,
): PlannedObjectChange[] {
  const wanted = new Set(desired.map(objectKey));
  const ours = new Set(
    live.state.routing.filter(o => o.status !== 'foreign').map(objectKey),
  );
  return removalOrder(
    live.routing.filter(
      o => ours.has(objectKey(o)) && !wanted.has(objectKey(o)),
    ),
  ).map(current => ({
    kind: current.kind,
    name: current.metadata.name,
    namespace: current.metadata.namespace,
    action: 'delete' as const,
    diff: withDiffs
      ? objectDiff(
          `${current.kind}/${current.metadata.name}`,
          current,
          undefined,
        )
      : '',
    object: current,
  }));
}

type Placed =
  | {
      objects: RoutingObject[];
      perCluster: Array<{ cluster: LiveCluster; desired: RoutingObject[] }>;
    }
  | { issue: IntentIssue };

/**
 * What each cluster should hold: the routing objects on every config cluster; on a mesh on
 * Gateway API, the version Services also on every other cluster where that version runs. Other
 * clusters take part only when they hold or get objects of ours.
 */
function placeObjects(live: LiveState, intent: TrafficIntent): Placed {
  const { mesh, target } = live;
  const ports = live.clusters.find(c => c.servicePorts?.length)?.servicePorts;
  if (mesh.routingApi === 'gateway-api' && !ports)
    return {
      issue: {
        path: '',
        message: `Service ${target.namespace}/${target.service} was found on no config cluster of mesh ${mesh.id}: a Gateway API route attaches to the Service, and its version Services copy its ports`,
      },
    };
  const labelled = labelledTarget(target, mesh, ports);
  const objects = generateRouting(labelled, intent);
  const versions = routedVersions(intent);
  const perCluster = live.clusters
    .map(cluster => {
      if (cluster.isConfigCluster) return { cluster, desired: objects };
      const here = new Set(cluster.state.workloads.map(w => w.version));
      const desired =
        mesh.routingApi === 'gateway-api'
          ? generateVersionServices(
              labelled,
              intent,
              versions.filter(v => here.has(v)),
            )
          : [];
      return { cluster, desired };
    })
    .filter(
      ({ cluster, desired }) =>
        cluster.isConfigCluster ||
        desired.length ||
        cluster.state.routing.some(o => o.status !== 'foreign'),
    );
  return { objects, perCluster };
}

/**
 * An AuthorizationPolicy under the service's name that is not ours is none of the change's
 * business while the intent has no access part: nothing is written over it, so it neither waits
 * for an adopt nor blocks the routing (the page still shows it). Only an intent that writes its
 * own policy there must take it over.
 */
function leaveForeignPolicies(
  classified: ClassifiedObject[],
  writesAccess: boolean,
): ClassifiedObject[] {
  if (writesAccess) return classified;
  return classified.filter(
    o => !(o.kind === 'AuthorizationPolicy' && o.status === 'foreign'),
  );
}

/**
 * The workload checks judged only the clusters that could be read: a version that runs only on
 * one not read (down, or its cache not synced yet) would read as running nowhere, so each issue
 * names the clusters left out and why.
 */
function withUnreadClusters(
  issues: IntentIssue[],
  live: LiveState,
): IntentIssue[] {
  const unread = live.clusters.filter(c => !c.reachable);
  if (!unread.length) return issues;
  const note = `; not counted, as they could not be read: ${unread
    .map(c => `${c.cluster} (${c.error})`)
    .join('; ')}`;
  return issues.map(i => ({ ...i, message: `${i.message}${note}` }));
}

/**
 * Turns an intent into a plan: validation (schema and Istio's rules before any cluster is asked,
 * then the versions against the workloads discovery found), the objects for every config cluster,
 * their diff against what is live, and each cluster's server-side dry-run verdict.
 */
export class MeshPlanner {
  constructor(
    private readonly registry: ClusterRegistry,
    private readonly state: LiveStateReader,
  ) {}

  /**
   * `dryRun: false` leaves out the server-side dry run and the readable diffs: apply plans again
   * only to learn what each cluster holds, and its writes are judged by the server anyway.
   * `live` is a read already made (apply's cached read of what the user planned against).
   */
  async plan(
    target: MeshTarget,
    input: unknown,
    options: {
      dryRun?: boolean;
      adopt?: boolean;
      live?: LiveState;
      /** When risky parts end: checked against the intent and the mesh's maximum. */
      expires?: Expires;
      now?: number;
      /**
       * Only the intent's own rules, not the workloads: a safety change (an abort, an expiry) that
       * takes risk away is written even while a version it still names has no ready pods.
       */
      shapeOnly?: boolean;
    } = {},
  ): Promise<PlanResult> {
    const { routingApi, trustDomain } = this.state.meshFor(target);
    const shape = validateIntent(input, { routingApi, trustDomain });
    if (!shape.ok) return { valid: false, issues: shape.issues };

    const live = options.live ?? (await this.state.read(target));
    const workloads = live.clusters.flatMap(c => c.state.workloads);
    const checked = options.shapeOnly
      ? shape
      : validateIntent(input, { workloads, routingApi, trustDomain });
    if (!checked.ok)
      return { valid: false, issues: withUnreadClusters(checked.issues, live) };

    const intent = checked.intent;
    if (intent.canary?.auto && !live.mesh.prometheus)
      return {
        valid: false,
        issues: [
          {
            path: 'canary.auto',
            message: `mesh ${live.mesh.id} names no Prometheus (mesh.meshes[].prometheus): an automatic canary would have nothing to judge its steps by`,
          },
        ],
      };
    const expiry = resolveExpiries(options.expires, intent, {
      now: options.now ?? Date.now(),
      maxMs: live.mesh.maxRiskyChangeMs,
    });
    if (expiry.issues.length) return { valid: false, issues: expiry.issues };
    const placed = placeObjects(live, intent);
    if ('issue' in placed) return { valid: false, issues: [placed.issue] };
    const { objects, perCluster } = placed;
    const adopt = options.adopt ?? false;
    const clusters = await Promise.all(
      perCluster.map(({ cluster, desired }) =>
        this.planCluster(
          cluster,
          desired,
          target,
          options.dryRun ?? true,
          adopt,
        ),
      ),
    );
    const foreign = clusters.flatMap(c => c.foreign);
    const blocking = foreign.filter(o => o.adoption === 'blocked');
    return {
      valid: true,
      intent,
      live,
      objects,
      clusters,
      needsAdoption: foreign.some(needsAdoption(target)),
      adopt,
      ...(blocking.length
        ? { blocked: [...new Set(blocking.map(o => o.reason!))].join('; ') }
        : {}),
      takenOver: adopt
        ? foreign.filter(
            o => o.adoption === 'rewrite' || o.adoption === 'delete',
          )
        : [],
      ends: expiry.ends,
    };
  }

  /** The revision as it stands now, e.g. right after a write. */
  async revision(target: MeshTarget): Promise<string> {
    return (await this.state.read(target)).revision;
  }

  private async planCluster(
    live: LiveCluster,
    objects: RoutingObject[],
    target: MeshTarget,
    dryRun: boolean,
    adopt: boolean,
  ): Promise<ClusterPlan> {
    // The state read classified this cluster's routing already.
    const classified = leaveForeignPolicies(
      live.state.routing,
      objects.some(o => o.kind === 'AuthorizationPolicy'),
    );
    const foreign = classified.filter(o => o.status === 'foreign');
    const foreignAt = (o: RoutingObject) =>
      foreign.find(f => objectKey(f) === objectKey(o));
    const changes: PlannedObjectChange[] = applyOrder(objects).map(planned => {
      const current = live.routing.find(
        o => objectKey(o) === objectKey(planned),
      );
      const owner = current && foreignAt(current);
      return {
        kind: planned.kind,
        name: planned.metadata.name,
        namespace: planned.metadata.namespace,
        action: actionFor(current, planned),
        // Diffs are for the person reviewing; apply's own re-plan needs none (they cost ~0.2 ms an object).
        diff: dryRun
          ? objectDiff(
              `${planned.kind}/${planned.metadata.name}`,
              current,
              planned,
            )
          : '',
        object: planned,
        ...(owner ? { takesOverFrom: ownerOf(owner) } : {}),
      };
    });
    changes.push(...leftBehind(live, objects, dryRun));
    if (adopt) changes.push(...deletionsOnAdopt(live.routing, foreign, dryRun));
    const plan: ClusterPlan = {
      cluster: live.cluster,
      changes,
      dryRun: { ok: true },
      foreign,
      drifted: classified.filter(o => o.status === 'drifted'),
      kept: foreign.filter(
        o => o.adoption === 'keep' || o.adoption === 'blocked',
      ),
    };
    if (!live.reachable) {
      return {
        ...plan,
        dryRun: { ok: false, message: `unreachable: ${live.error}` },
      };
    }
    if (!dryRun) return plan;
    const client = this.registry.client(
      this.clusterConfig(live.cluster, target),
    );
    try {
      // DestinationRule first, as apply will: a dry run judges each object as the write would.
      // A blocked name is never written, not even in a dry run.
      if (plan.kept.some(o => o.adoption === 'blocked')) return plan;
      for (const obj of applyOrder(objects))
        await client.apply(obj, { dryRun: true });
    } catch (e) {
      plan.dryRun = { ok: false, message: describeClusterError(e) };
    }
    return plan;
  }

  private clusterConfig(name: string, target: MeshTarget) {
    const cluster = this.registry
      .mesh(target.mesh)
      ?.clusters.find(c => c.name === name);
    if (!cluster)
      throw new Error(
        `cluster ${name} is not configured in mesh ${target.mesh}`,
      );
    return cluster;
  }
}
