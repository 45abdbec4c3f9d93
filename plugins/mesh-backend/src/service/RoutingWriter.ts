import {
  ClusterApplyResult,
  objectKey,
  RoutingObject,
  removalOrder,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig } from '../config/readMeshConfig';
import { describeClusterError } from '../kubernetes/describeError';
import { ClusterRegistry } from './ClusterRegistry';

/** One cluster's share of a change: objects to write (in order), then objects to delete. */
export interface ClusterChange {
  cluster: ClusterConfig;
  /** What the cluster held before, for every object this change may touch. */
  before: RoutingObject[];
  write: RoutingObject[];
  remove: RoutingObject[];
}

type Step = { op: 'write'; obj: RoutingObject } | { op: 'remove'; obj: RoutingObject };

/** The fields we send back when restoring an object: what a user or tool wrote, not what the server set. */
function restorable(obj: RoutingObject): RoutingObject {
  const { name, namespace, labels, annotations, ownerReferences } = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    // ownerReferences too: Flagger and Argo Rollouts find their objects by them, and garbage collection follows them.
    metadata: {
      name,
      namespace,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(ownerReferences ? { ownerReferences } : {}),
    },
    spec: obj.spec,
  } as RoutingObject;
}


/**
 * Writes a change to all its clusters in parallel, all or nothing: when any cluster fails, every
 * cluster that was already changed (the failing one included) is put back to what it held before
 * (objects that did not exist are deleted), and the result says so cluster by cluster.
 */
export class RoutingWriter {
  constructor(private readonly registry: ClusterRegistry) {}

  /**
   * On success, `live` holds per cluster what the API servers answered for each object written,
   * so the caller knows the new state without reading it again.
   */
  async write(changes: ClusterChange[]): Promise<{ ok: boolean; clusters: ClusterApplyResult[]; live?: Map<string, RoutingObject[]> }> {
    const answered = new Map<string, RoutingObject[]>();
    const done = new Map<string, Step[]>();
    const attempts = await Promise.all(
      changes.map(async change => {
        const client = this.registry.client(change.cluster);
        const steps: Step[] = [];
        const written: RoutingObject[] = [];
        done.set(change.cluster.name, steps);
        answered.set(change.cluster.name, written);
        try {
          for (const obj of change.write) {
            written.push(await client.apply(obj));
            steps.push({ op: 'write', obj });
          }
          for (const obj of removalOrder(change.remove)) {
            await client.remove(obj.kind, obj.metadata.namespace, obj.metadata.name);
            steps.push({ op: 'remove', obj });
          }
          const changed = steps.length > 0;
          return { cluster: change.cluster.name, outcome: changed ? 'applied' : 'unchanged' } as ClusterApplyResult;
        } catch (e) {
          const message = describeClusterError(e);
          const unreachable = /^connection failed|timed out|did not answer/.test(message);
          return { cluster: change.cluster.name, outcome: unreachable ? 'unreachable' : 'failed', message } as ClusterApplyResult;
        }
      }),
    );
    if (attempts.every(a => a.outcome === 'applied' || a.outcome === 'unchanged')) {
      return { ok: true, clusters: attempts, live: answered };
    }
    const restored = await Promise.all(
      changes.map(async (change, i) => {
        const attempt = attempts[i];
        const steps = done.get(change.cluster.name) ?? [];
        if (!steps.length) return attempt;
        const problem = await this.undo(change, steps);
        if (problem) {
          return {
            cluster: change.cluster.name,
            outcome: 'restore-failed',
            message: `${attempt.message ? `${attempt.message}; ` : ''}could not put back what it held: ${problem}`,
          } as ClusterApplyResult;
        }
        return attempt.outcome === 'applied' ? ({ cluster: change.cluster.name, outcome: 'restored' } as ClusterApplyResult) : attempt;
      }),
    );
    return { ok: false, clusters: restored };
  }

  /** Undoes the steps taken on one cluster, latest first. Returns the problem, if one remains. */
  private async undo(change: ClusterChange, steps: Step[]): Promise<string | undefined> {
    const client = this.registry.client(change.cluster);
    try {
      for (const step of [...steps].reverse()) {
        const previous = change.before.find(b => objectKey(b) === objectKey(step.obj));
        if (previous) await client.apply(restorable(previous));
        else await client.remove(step.obj.kind, step.obj.metadata.namespace, step.obj.metadata.name);
      }
      return undefined;
    } catch (e) {
      return describeClusterError(e);
    }
  }
}
