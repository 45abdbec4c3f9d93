import {
  canonicalJson,
  classifyRouting,
  ClusterPlan,
  generateRouting,
  IntentIssue,
  MeshTarget,
  objectDiff,
  PlannedAction,
  PlannedObjectChange,
  placeConfig,
  RoutingObject,
  TrafficIntent,
  validateIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { describeClusterError } from '../kubernetes/describeError';
import { ClusterRegistry } from './ClusterRegistry';
import { LiveCluster, LiveState, MeshStateService } from './MeshStateService';

export type PlanResult =
  | { valid: false; issues: IntentIssue[] }
  | {
      valid: true;
      intent: TrafficIntent;
      live: LiveState;
      objects: RoutingObject[];
      clusters: ClusterPlan[];
      needsAdoption: boolean;
    };

/** The fields a write decides; server-set metadata is not compared. */
function comparable(obj: RoutingObject | undefined) {
  if (!obj) return undefined;
  return canonicalJson({
    labels: obj.metadata.labels ?? {},
    annotations: obj.metadata.annotations ?? {},
    spec: obj.spec,
  });
}

function actionFor(live: RoutingObject | undefined, planned: RoutingObject): PlannedAction {
  if (!live) return 'create';
  return comparable(live) === comparable(planned) ? 'unchanged' : 'update';
}

/**
 * Turns an intent into a plan: validation (schema and Istio's rules before any cluster is asked,
 * then the versions against the workloads discovery found), the objects for every config cluster,
 * their diff against what is live, and each cluster's server-side dry-run verdict.
 */
export class MeshPlanner {
  constructor(private readonly registry: ClusterRegistry, private readonly state: MeshStateService) {}

  /**
   * `dryRun: false` leaves out the server-side dry run: apply plans again only to check the
   * revision and learn what each cluster holds, and its writes are judged by the server anyway.
   */
  async plan(target: MeshTarget, input: unknown, options: { dryRun?: boolean } = {}): Promise<PlanResult> {
    const shape = validateIntent(input);
    if (!shape.ok) return { valid: false, issues: shape.issues };

    const live = await this.state.read(target);
    const workloads = live.clusters.flatMap(c => c.state.workloads);
    const checked = validateIntent(input, { workloads });
    if (!checked.ok) return { valid: false, issues: checked.issues };

    const intent = checked.intent;
    const objects = generateRouting(target, intent);
    const { configClusters } = placeConfig(live.mesh.topology);
    const clusters = await Promise.all(
      configClusters.map(name => this.planCluster(live.clusters.find(c => c.cluster === name)!, objects, target, options.dryRun ?? true)),
    );
    return {
      valid: true,
      intent,
      live,
      objects,
      clusters,
      needsAdoption: clusters.some(c => c.foreign.length > 0),
    };
  }

  /** The revision as it stands now, e.g. right after a write. */
  async revision(target: MeshTarget): Promise<string> {
    return (await this.state.read(target)).revision;
  }

  private async planCluster(live: LiveCluster, objects: RoutingObject[], target: MeshTarget, dryRun: boolean): Promise<ClusterPlan> {
    const classified = classifyRouting(target, live.routing).objects;
    const changes: PlannedObjectChange[] = objects.map(planned => {
      const current = live.routing.find(o => o.kind === planned.kind && o.metadata.name === planned.metadata.name);
      return {
        kind: planned.kind,
        name: planned.metadata.name,
        action: actionFor(current, planned),
        diff: objectDiff(`${planned.kind}/${planned.metadata.name}`, current, planned),
        object: planned,
      };
    });
    const plan: ClusterPlan = {
      cluster: live.cluster,
      changes,
      dryRun: { ok: true },
      foreign: classified.filter(o => o.status === 'foreign'),
      drifted: classified.filter(o => o.status === 'drifted'),
    };
    if (!live.reachable) {
      return { ...plan, dryRun: { ok: false, message: `unreachable: ${live.error}` } };
    }
    if (!dryRun) return plan;
    const client = this.registry.client(this.clusterConfig(live.cluster, target));
    try {
      // DestinationRule first, as apply will: a dry run judges each object as the write would.
      for (const obj of objects) await client.apply(obj, { dryRun: true });
    } catch (e) {
      plan.dryRun = { ok: false, message: describeClusterError(e) };
    }
    return plan;
  }

  private clusterConfig(name: string, target: MeshTarget) {
    const cluster = this.registry.mesh(target.mesh)?.clusters.find(c => c.name === name);
    if (!cluster) throw new Error(`cluster ${name} is not configured in mesh ${target.mesh}`);
    return cluster;
  }
}
