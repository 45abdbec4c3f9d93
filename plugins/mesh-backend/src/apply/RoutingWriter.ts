import {
  ClusterApplyResult,
  comparableSpec,
  describeGitOps,
  gitOpsManagement,
  objectKey,
  RoutingObject,
  transition,
  TransitionStep,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ClusterConfig } from '../config/readMeshConfig';
import { HostLease, LockLostError } from '../database/HostLocks';
import { ClusterClient } from '../kubernetes/ClusterClient';
import {
  classifyClusterError,
  describeClusterError,
} from '../kubernetes/clusterErrors';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';
import { decidedFields } from '../plan/decidedFields';

/** One cluster's share of a change: objects to write, then objects to delete. */
export interface ClusterChange {
  cluster: ClusterConfig;
  /** What the cluster held before, as the plan read it: every object this change may touch, with its resourceVersion. */
  before: RoutingObject[];
  write: RoutingObject[];
  remove: RoutingObject[];
  /** The mesh lets GitOps-managed objects be adopted (`gitOps: adoptable`) and this change adopts. */
  overGitOps?: boolean;
}

/**
 * An object a GitOps tool manages (or has started to co-manage since we wrote it) is not written
 * over: the writes force server-side apply, which would take the tool's fields from it.
 */
export class GitOpsManagedError extends Error {
  constructor(obj: RoutingObject, reason: string) {
    super(
      `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} was not written: ${reason}`,
    );
    this.name = 'GitOpsManagedError';
  }
}

export interface WriteResult {
  ok: boolean;
  clusters: ClusterApplyResult[];
  /** On success, per cluster what the API servers answered for each object written. */
  live?: Map<string, RoutingObject[]>;
  /** Some write was refused because the object was not what the plan saw: someone else changed it. */
  conflict?: boolean;
  /** Some cluster could not be put back. */
  restoreFailed?: boolean;
}

/** The fields we send back when restoring an object: what a user or tool wrote, not what the server set. */
export function restorable(obj: RoutingObject): RoutingObject {
  const { name, namespace, labels, annotations, ownerReferences } =
    obj.metadata;
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

/** Whether the labels, annotations and spec of `live` include everything `wanted` sets. */
function holdsAtLeast(live: RoutingObject, wanted: RoutingObject) {
  const within = (
    a: Record<string, string> | undefined,
    b: Record<string, string> | undefined,
  ) => Object.entries(a ?? {}).every(([k, v]) => b?.[k] === v);
  return (
    comparableSpec(live) === comparableSpec(wanted) &&
    within(wanted.metadata.labels, live.metadata.labels) &&
    within(wanted.metadata.annotations, live.metadata.annotations)
  );
}

class StepFailed extends Error {
  constructor(readonly cause: unknown, readonly conflict: boolean) {
    super(
      cause instanceof GitOpsManagedError
        ? cause.message
        : describeClusterError(cause),
    );
  }
}

/**
 * One cluster's writes, step by step, each with a precondition: the resourceVersion last seen for
 * the object (the plan's, then our own write's answer), or create-only for an object that was
 * absent. `current` tracks what the cluster holds after each step that is known to have landed.
 */
class ClusterWrites {
  readonly current: Map<string, RoutingObject>;
  changed = false;

  constructor(
    readonly client: ClusterClient,
    before: RoutingObject[],
    private readonly lease?: HostLease,
    /** Whether a write that timed out but is found to have landed counts as done (when undoing) or as a failure (when changing). */
    private readonly lateIsDone = false,
    private readonly overGitOps = false,
  ) {
    this.current = new Map(before.map(o => [objectKey(o), o]));
  }

  async run(steps: TransitionStep[]): Promise<void> {
    for (const s of steps) {
      this.lease?.assertHeld();
      await this.perform(s);
    }
  }

  private async perform(s: TransitionStep) {
    const now = this.current.get(s.key);
    // Already as this step wants it (or already gone): nothing to write.
    if (decidedFields(now) === decidedFields(s.desired)) return;
    this.refuseOverGitOps(now);
    try {
      const answer = await this.write(s, now);
      this.settle(s, answer);
    } catch (e) {
      const c = classifyClusterError(e);
      if (c.kind !== 'status' && !c.neverSent) {
        // The outcome is unknown (timed out, connection broke): read it back before judging.
        const found = await this.client
          .get(s.kind, s.namespace, s.name)
          .catch(() => 'unreadable' as const);
        const landed =
          found !== 'unreadable' &&
          (s.desired
            ? Boolean(found) && holdsAtLeast(found as RoutingObject, s.desired)
            : !found);
        if (landed) this.settle(s, found as RoutingObject | undefined);
        else if (found !== 'unreadable') this.observe(s, found);
        // Putting a cluster back, a write that landed late is what we wanted: go on.
        if (landed && this.lateIsDone) return;
      }
      throw new StepFailed(e, c.kind === 'status' && c.status === 409);
    }
  }

  /** Whichever path a write came by (apply, rollback, abort, expiry, undo), Git's objects stay Git's. */
  private refuseOverGitOps(now: RoutingObject | undefined) {
    const gitOps = now && !this.overGitOps && gitOpsManagement(now);
    if (!gitOps) return;
    const where = `${now.kind} ${now.metadata.namespace}/${now.metadata.name}`;
    throw new StepFailed(
      new GitOpsManagedError(now, describeGitOps(where, gitOps)),
      true,
    );
  }

  private async write(
    s: TransitionStep,
    now: RoutingObject | undefined,
  ): Promise<RoutingObject | undefined> {
    const rv = now?.metadata.resourceVersion;
    if (!s.desired) {
      if (!now) return undefined;
      await this.client.remove(s.kind, s.namespace, s.name, {
        resourceVersion: rv,
      });
      return undefined;
    }
    if (!now) return this.client.create(s.desired);
    // Adopting from a GitOps tool (where a mesh allows it): the object is replaced whole, so the
    // tool's tracking labels and annotations, and its fields, go with the adoption.
    if (this.overGitOps && gitOpsManagement(now))
      return this.client.replace(s.desired, rv!);
    const answer = await this.client.apply(s.desired, { resourceVersion: rv });
    // An object we created is co-owned by that create: server-side apply then keeps a field we
    // dropped. Replace it whole, at the version just answered, so what we planned is what holds.
    if (holdsAtLeast(answer, s.desired)) return answer;
    const { managedFields: _server, ...metadata } =
      answer.metadata as RoutingObject['metadata'] & {
        managedFields?: unknown;
      };
    const whole = {
      ...s.desired,
      metadata: {
        ...metadata,
        labels: { ...metadata.labels, ...s.desired.metadata.labels },
        annotations: {
          ...metadata.annotations,
          ...s.desired.metadata.annotations,
        },
      },
    } as RoutingObject;
    return this.client.replace(whole, answer.metadata.resourceVersion!);
  }

  private settle(s: TransitionStep, answer: RoutingObject | undefined) {
    this.changed = true;
    this.observe(s, answer);
  }

  private observe(s: TransitionStep, found: RoutingObject | undefined) {
    if (found) this.current.set(s.key, found);
    else this.current.delete(s.key);
  }
}

interface Attempt {
  result: ClusterApplyResult;
  conflict?: boolean;
  lockLost?: LockLostError;
}

/** One cluster's writes, make-before-break, and what came of them. */
async function attempt(
  change: ClusterChange,
  writes: ClusterWrites,
): Promise<Attempt> {
  const cluster = change.cluster.name;
  try {
    await writes.run(transition(change.before, change.write, change.remove));
    return {
      result: { cluster, outcome: writes.changed ? 'applied' : 'unchanged' },
    };
  } catch (e) {
    if (e instanceof LockLostError)
      return {
        result: { cluster, outcome: 'failed', message: e.message },
        lockLost: e,
      };
    const failure = e as StepFailed;
    const kind =
      failure.cause instanceof GitOpsManagedError
        ? 'refused'
        : classifyClusterError(failure.cause).kind;
    return {
      result: {
        cluster,
        outcome: kind === 'unreachable' ? 'unreachable' : 'failed',
        message: failure.message,
      },
      conflict: failure.conflict,
    };
  }
}

/**
 * Writes a change to all its clusters in parallel, all or nothing. Each cluster goes
 * make-before-break (see `transition`), every write with a precondition. When any cluster fails,
 * every cluster already changed (the failing one included) is put back to what it held before,
 * again make-before-break and with preconditions, and the result says so cluster by cluster.
 */
export class RoutingWriter {
  constructor(private readonly registry: ClusterRegistry) {}

  async write(
    changes: ClusterChange[],
    lease?: HostLease,
    options: {
      /**
       * A safety change (an abort): every cluster it reached keeps it, and a failure elsewhere
       * puts nothing back; the result says which clusters hold it.
       */
      keepWhatLanded?: boolean;
    } = {},
  ): Promise<WriteResult> {
    const writers = changes.map(
      c =>
        new ClusterWrites(
          this.registry.client(c.cluster),
          c.before,
          lease,
          false,
          c.overGitOps,
        ),
    );
    const attempts = await Promise.all(
      changes.map((change, i) => attempt(change, writers[i])),
    );
    // The lock is gone: another replica may be resolving this change; writing on would race it.
    const lockLost = attempts.find(a => a.lockLost)?.lockLost;
    if (lockLost) throw lockLost;
    if (
      attempts.every(
        a => a.result.outcome === 'applied' || a.result.outcome === 'unchanged',
      )
    ) {
      const live = new Map(
        changes.map((c, i) => [
          c.cluster.name,
          c.write
            .map(o => writers[i].current.get(objectKey(o))!)
            .filter(Boolean),
        ]),
      );
      return { ok: true, clusters: attempts.map(a => a.result), live };
    }
    if (options.keepWhatLanded)
      return {
        ok: false,
        clusters: attempts.map(a => a.result),
        conflict: attempts.some(a => a.conflict),
      };
    const restored = await Promise.all(
      changes.map((change, i) =>
        this.putBack(change, writers[i], attempts[i].result),
      ),
    );
    return {
      ok: false,
      clusters: restored,
      conflict: attempts.some(a => a.conflict),
      restoreFailed: restored.some(r => r.outcome === 'restore-failed'),
    };
  }

  /** After a failure elsewhere: one cluster's outcome once what it changed is put back. */
  private async putBack(
    change: ClusterChange,
    writes: ClusterWrites,
    result: ClusterApplyResult,
  ): Promise<ClusterApplyResult> {
    if (!writes.changed) return result;
    const problem = await this.undo(change, writes);
    if (problem) {
      return {
        cluster: change.cluster.name,
        outcome: 'restore-failed',
        message: `${
          result.message ? `${result.message}; ` : ''
        }could not put back what it held: ${problem}`,
      };
    }
    return result.outcome === 'applied'
      ? { cluster: change.cluster.name, outcome: 'restored' }
      : { ...result, message: `${result.message}; put back what it held` };
  }

  /** Puts one cluster back to its before-state, make-before-break. Returns the problem, if one remains. */
  private async undo(
    change: ClusterChange,
    writes: ClusterWrites,
  ): Promise<string | undefined> {
    const touched = new Set([...change.write, ...change.remove].map(objectKey));
    const before = change.before.filter(o => touched.has(objectKey(o)));
    const created = [...writes.current.values()].filter(
      o =>
        touched.has(objectKey(o)) &&
        !before.some(b => objectKey(b) === objectKey(o)),
    );
    const steps = transition(
      [...writes.current.values()],
      before.map(restorable),
      created,
    );
    const undoer = new ClusterWrites(
      writes.client,
      [...writes.current.values()],
      undefined,
      true,
      change.overGitOps,
    );
    try {
      await undoer.run(steps);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }
}
