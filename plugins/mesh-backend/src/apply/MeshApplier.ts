import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApplyResponse,
  ClassifiedObject,
  ClusterApplyResult,
  IntentIssue,
  Expires,
  MeshTarget,
  objectKey,
  RiskyPart,
  RoutingObject,
  TrafficIntent,
  writtenFor,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { HostLease } from '../database/HostLocks';
import { hostKey, MeshStore, NewHistoryEntry } from '../database/MeshStore';
import { followCanary } from './followCanary';
import { ChangeRecovery } from './ChangeRecovery';
import { ownerOf } from '../ownership/OwnershipGuard';
import { AccessChange, accessChangeOf } from '../plan/accessChange';
import { MeshPlanner, needsAdoption, PlanResult } from '../plan/MeshPlanner';
import { holderOf, LiveState, LiveStateReader } from '../read/LiveStateReader';
import { decidedFields } from '../plan/decidedFields';
import { recordExpiries } from './recordExpiries';
import {
  ClusterChange,
  restorable,
  RoutingWriter,
  WriteResult,
} from './RoutingWriter';
import { changesOf, revisionAfter, writesTo } from './changeSets';

export interface ApplyRequestContext {
  target: MeshTarget;
  actor: string;
  intent: unknown;
  revision: string;
  adopt?: boolean;
  action?: 'apply' | 'rollback';
  scaffolderTaskId?: string;
  /** The mesh action (Actions Registry) the change came through. */
  viaAction?: string;
  /** For a change the plugin makes itself (a canary's automatic step): the user, and why. */
  onBehalfOf?: string;
  reason?: string;
  /**
   * Refuses the take-over of these foreign objects unless the caller may change their owners.
   * Without it, no adoption that takes anything over is allowed.
   */
  checkAdoption?: (objects: ClassifiedObject[]) => Promise<void>;
  /**
   * Refuses a new access part that turns away callers the person did not confirm. Given by every
   * path a person takes (apply, rollback, a rollout's start); the automation continuing a change
   * (a rollout's later waves, an expiry, an abort) never changes access on its own.
   */
  checkAccess?: (change: AccessChange) => Promise<void>;
  /** A wave of a rollout: only these clusters are written; the rest keep what they hold. */
  clusters?: string[];
  /** The rollout this change is a wave of: the one change a host with a rollout in progress takes. */
  rolloutId?: number;
  /**
   * A safety change (an automatic abort): written to every config cluster it can reach, never
   * put back because another failed. The clusters it did not reach are recorded, and the journal
   * row is left `interrupted` (the entity page offers to finish it) until a retry reaches them.
   */
  safety?: boolean;
  /** When risky parts of the intent end by themselves. */
  expires?: Expires;
}

export type ApplyOutcome =
  | { valid: false; issues: IntentIssue[] }
  | ({ valid: true } & ApplyResponse);

/**
 * Applies an intent to every config cluster of the service's mesh as one transaction: under the
 * host's lock, against what the user's plan saw (the API server checks it, write by write),
 * refusing foreign routing unless adopted and unreachable config clusters outright; journaled
 * `pending` before the first write, all clusters in parallel, make-before-break, all or nothing.
 */
export class MeshApplier {
  constructor(
    private readonly planner: MeshPlanner,
    private readonly state: LiveStateReader,
    private readonly store: MeshStore,
    private readonly writer: RoutingWriter,
    private readonly recovery: ChangeRecovery,
  ) {}

  /**
   * Runs a change holding the host's lock, after ending whatever an earlier holder that died
   * left pending: the page must show that before anyone writes over it.
   */
  private underHostLock<T>(
    target: MeshTarget,
    work: (lease: HostLease) => Promise<T>,
  ): Promise<T> {
    const key = hostKey(target);
    return this.store.locks.withLock(
      key,
      async lease => {
        await this.recovery.resolveHost(key);
        return work(lease);
      },
      `another change to the routing of ${target.service} in ${target.namespace} (mesh ${target.mesh}) is in progress; try again when it has finished`,
    );
  }

  async apply(request: ApplyRequestContext): Promise<ApplyOutcome> {
    const { target } = request;
    return this.underHostLock(target, async lease => {
      // Read again, from the watch caches (no request to any cluster): a change since the
      // user's plan, in any namespace, makes the revision differ and the apply is refused.
      const plan = await this.planner.plan(target, request.intent, {
        dryRun: false,
        adopt: request.adopt,
        expires: request.expires,
        shapeOnly: request.safety,
        // An end given as a duration runs from the database's clock, as every due time does.
        ...(request.expires ? { now: await this.store.now() } : {}),
      });
      if (!plan.valid) return plan;
      await this.checkApplicable(request, plan);
      await this.refuseDuringRollout(target, request.rolloutId);
      const { live } = plan;
      const base = {
        entityRef: target.entityRef,
        actor: request.actor,
        action: request.action ?? 'apply',
        intentBefore: live.intent,
        intentAfter: plan.intent,
        scaffolderTaskId: request.scaffolderTaskId,
        viaAction: request.viaAction,
        onBehalfOf: request.onBehalfOf,
        reason: request.reason,
      } as const;
      if (request.safety) {
        // Everything it can reach now; the rest is recorded and retried by its caller.
        const targeted = live.clusters.filter(
          c => c.isConfigCluster && writesTo(request.clusters)(c.cluster),
        );
        const reachable = targeted.filter(c => c.reachable).map(c => c.cluster);
        return {
          valid: true,
          ...(await this.writeAndRecord(
            target,
            changesOf(plan, reachable),
            base,
            live,
            lease,
            {
              followCanary: true,
              keepWhatLanded: targeted.map(c => c.cluster),
              ends: plan.ends,
              everyConfigCluster:
                !request.clusters && reachable.length === targeted.length,
            },
          )),
        };
      }
      const refused = await this.refuseWhenUnreachable(
        live,
        base,
        request.clusters,
      );
      if (refused) return { valid: true, ...refused };
      return {
        valid: true,
        ...(await this.writeAndRecord(
          target,
          changesOf(plan, request.clusters),
          base,
          live,
          lease,
          {
            followCanary: !request.clusters,
            ends: plan.ends,
            everyConfigCluster: !request.clusters,
          },
        )),
      };
    });
  }

  /**
   * The refusals before anything is written: a stale revision, a name another host holds, foreign
   * routing without adopt, an adopt the caller may not make.
   */
  private async checkApplicable(
    request: ApplyRequestContext,
    plan: Extract<PlanResult, { valid: true }>,
  ) {
    const { target } = request;
    const { live } = plan;
    if (live.revision !== request.revision) {
      throw new ConflictError(
        `the routing of ${target.entityRef} changed since you loaded it (revision ${request.revision}, now ${live.revision}); reload and plan again`,
      );
    }
    if (plan.blocked)
      throw new ConflictError(
        `the routing of ${target.service} cannot be written here: ${plan.blocked}`,
      );
    if (plan.needsAdoption && !request.adopt) {
      const owners = plan.clusters.flatMap(c =>
        c.foreign
          .filter(needsAdoption(target))
          .map(f => `${f.kind} ${f.name} (${ownerOf(f)}) on ${c.cluster}`),
      );
      const holder = holderOf(live);
      throw new ConflictError(
        `${
          holder
            ? `the routing of ${target.service} is held by ${holder}: `
            : ''
        }foreign routing for ${target.service} exists: ${owners.join(
          ', ',
        )}; apply with adopt to take it over`,
      );
    }
    const accessChange = accessChangeOf(live, plan.intent.access);
    if (accessChange && request.checkAccess)
      await request.checkAccess(accessChange);
    if (plan.takenOver.length) {
      if (!request.checkAdoption)
        throw new NotAllowedError(
          'adopting foreign routing needs a caller whose rights can be checked',
        );
      await request.checkAdoption(plan.takenOver);
    }
  }

  /** A host with a rollout in progress takes only that rollout's waves: anything else would race it. */
  private async refuseDuringRollout(target: MeshTarget, rolloutId?: number) {
    const running = await this.store.rollouts.inProgress(hostKey(target));
    if (running && running.id !== rolloutId)
      throw new ConflictError(
        `a rollout of ${target.service} is in progress (rollout #${running.id}, ${running.status}); finish it, roll it back, or wait for it before another change`,
      );
  }

  /**
   * Removes this entity's objects for the service from every cluster that holds them, routes first,
   * against the revision the user saw. Foreign objects, another entity's included, stay.
   */
  async remove(request: {
    target: MeshTarget;
    actor: string;
    revision: string;
    /** A rollout's undo: only these clusters. */
    clusters?: string[];
    rolloutId?: number;
    onBehalfOf?: string;
    reason?: string;
    /** A person's removal: the access part it lifts is judged as an apply's would be. */
    checkAccess?: (change: AccessChange) => Promise<void>;
  }): Promise<ApplyResponse> {
    const { target } = request;
    return this.underHostLock(target, async lease => {
      const live = await this.state.read(target);
      if (live.revision !== request.revision) {
        throw new ConflictError(
          `the routing of ${target.entityRef} changed since you loaded it; reload and try again`,
        );
      }
      const lifted = accessChangeOf(live, undefined);
      if (lifted && request.checkAccess) await request.checkAccess(lifted);
      const anyOurs = live.clusters.some(c =>
        c.state.routing.some(o => o.status !== 'foreign'),
      );
      if (!anyOurs) {
        const holder = holderOf(live);
        if (holder)
          throw new ConflictError(
            `the routing of ${target.service} is held by ${holder}, not ${target.entityRef}; there is nothing of yours to remove`,
          );
        throw new NotFoundError(
          `${target.entityRef} has no routing objects on any config cluster to remove`,
        );
      }
      await this.refuseDuringRollout(target, request.rolloutId);
      refuseRemovalBesideGitOps(live);
      const base = {
        entityRef: target.entityRef,
        actor: request.actor,
        action: 'remove',
        intentBefore: live.intent,
        onBehalfOf: request.onBehalfOf,
        reason: request.reason,
      } as const;
      const refused = await this.refuseWhenUnreachable(
        live,
        base,
        request.clusters,
      );
      if (refused) return refused;
      const written = writesTo(request.clusters);
      // Config clusters, and any other that holds version Services of ours (Gateway API).
      const changes: ClusterChange[] = live.clusters
        .filter(
          c =>
            written(c.cluster) &&
            (c.isConfigCluster ||
              c.state.routing.some(o => o.status !== 'foreign')),
        )
        .map(c => {
          const ours = new Set(
            c.state.routing.filter(o => o.status !== 'foreign').map(objectKey),
          );
          return {
            cluster: live.mesh.clusters.find(x => x.name === c.cluster)!,
            before: c.routing,
            write: [],
            remove: c.routing.filter(o => ours.has(objectKey(o))),
          };
        });
      return this.writeAndRecord(target, changes, base, live, lease);
    });
  }

  /**
   * Puts clusters back to the routing objects a journal recorded for them (a rollout's rollback):
   * each object as it was, recreated where an adoption deleted it; our objects of this entity that
   * were not there removed. An object someone else holds now and that is as recorded stays
   * untouched. Make-before-break with preconditions, every cluster it can reach, like an abort.
   */
  async restore(request: {
    target: MeshTarget;
    actor: string;
    onBehalfOf?: string;
    reason?: string;
    /** Per cluster, what it held before (a journal row's before-state). */
    objects: Record<string, RoutingObject[]>;
    intentAfter?: TrafficIntent;
    rolloutId?: number;
  }): Promise<ApplyResponse> {
    const { target } = request;
    return this.underHostLock(target, async lease => {
      const live = await this.state.read(target);
      await this.refuseDuringRollout(target, request.rolloutId);
      const changes = live.clusters
        .filter(c => c.reachable && request.objects[c.cluster])
        .map(c =>
          restoreChange(
            live.mesh.clusters.find(x => x.name === c.cluster)!,
            c.routing,
            request.objects[c.cluster],
            target.entityRef,
            target.namespace,
          ),
        );
      const base = {
        entityRef: target.entityRef,
        actor: request.actor,
        action: 'rollback',
        intentBefore: live.intent,
        intentAfter: request.intentAfter,
        onBehalfOf: request.onBehalfOf,
        reason: request.reason,
      } as const;
      const restoring = {
        ...live,
        clusters: live.clusters.filter(c => request.objects[c.cluster]),
      };
      return this.writeAndRecord(target, changes, base, restoring, lease, {
        followCanary: false,
        keepWhatLanded: Object.keys(request.objects),
      });
    });
  }

  /**
   * The transaction: the journal row (`pending`, with every config cluster's before-state) is
   * written before the first cluster write and ended with the outcome. A writer that dies between
   * the two leaves the row pending, for recovery to resolve.
   */
  private async writeAndRecord(
    target: MeshTarget,
    changes: ClusterChange[],
    entry: HistoryBase,
    live: LiveState,
    lease: HostLease,
    options: {
      followCanary: boolean;
      /** A safety change's clusters: what it reaches keeps it; the rest are reported as not reached. */
      keepWhatLanded?: string[];
      /** The ends the request gave risky parts; without, what they had is kept. */
      ends?: Partial<Record<RiskyPart, number>>;
      /** Whether the change wrote every config cluster: only then may parts it took out lose their ends. */
      everyConfigCluster?: boolean;
    } = {
      followCanary: true,
    },
  ): Promise<ApplyResponse> {
    const before = Object.fromEntries(
      changes.map(c => [c.cluster.name, c.before]),
    );
    const historyId = await this.store.begin({
      ...entry,
      target,
      before,
      lockHolder: lease.holder,
    });
    const written = await this.writer.write(changes, lease, {
      keepWhatLanded: Boolean(options.keepWhatLanded),
    });
    const result = options.keepWhatLanded
      ? withUnreached(written, live, changes, options.keepWhatLanded)
      : written;
    let state: 'applied' | 'failed' | 'restore-failed' | 'interrupted' =
      result.ok ? 'applied' : 'failed';
    if (result.restoreFailed) state = 'restore-failed';
    if (options.keepWhatLanded && !result.ok) state = 'interrupted';
    const [, revision] = await Promise.all([
      this.store.finish(historyId, state, result.clusters),
      // After a success the answers to the writes are the new state; after a restore, read it.
      result.live
        ? revisionAfter(live, changes, result.live)
        : this.planner.revision(target),
    ]);
    // A safety change keeps what it wrote: its answer says cluster by cluster, not "nothing changed".
    if (result.conflict && !result.restoreFailed && !options.keepWhatLanded) {
      throw new ConflictError(
        `the routing of ${
          target.service
        } changed on a cluster since you planned (${result.clusters
          .filter(c => c.message)
          .map(c => `${c.cluster}: ${c.message}`)
          .join(
            '; ',
          )}); nothing was changed (history #${historyId}); reload and plan again`,
      );
    }
    if (result.ok)
      await recordExpiries(this.store.expiries, {
        target,
        intentBefore: entry.intentBefore,
        intentAfter: entry.intentAfter,
        ends: options.ends ?? {},
        setBy: entry.onBehalfOf ?? entry.actor,
        maxMs: live.mesh.maxRiskyChangeMs,
        removeGone: options.everyConfigCluster ?? false,
        ...(live.mesh.maxRiskyChangeMs !== undefined
          ? { now: await this.store.now() }
          : {}),
      });
    // The automatic canary the change leaves (none after a removal) is followed from now on; a
    // rollout's waves leave that to the rollout's end.
    if (result.ok && options.followCanary)
      await followCanary(
        this.store.canaries,
        target,
        entry.intentAfter,
        entry.actor,
        await this.store.now(),
      );
    return { ok: result.ok, historyId, clusters: result.clusters, revision };
  }

  /**
   * A change that cannot reach every config cluster is not started: writing the reachable ones
   * would leave the mesh half-changed. Recorded like any other outcome.
   */
  private async refuseWhenUnreachable(
    live: LiveState,
    entry: HistoryBase,
    only?: string[],
  ): Promise<ApplyResponse | undefined> {
    const config = live.clusters.filter(
      c => c.isConfigCluster && writesTo(only)(c.cluster),
    );
    if (config.every(c => c.reachable)) return undefined;
    const clusters: ClusterApplyResult[] = config.map(c =>
      c.reachable
        ? {
            cluster: c.cluster,
            outcome: 'unchanged',
            message: 'not written: another config cluster is unreachable',
          }
        : { cluster: c.cluster, outcome: 'unreachable', message: c.error },
    );
    const historyId = await this.store.record({
      ...entry,
      ok: false,
      clusters,
    });
    return { ok: false, historyId, clusters, revision: live.revision };
  }
}

type HistoryBase = Omit<NewHistoryEntry, 'ok' | 'clusters'>;

/** Whether adopting could have deleted this object: in the host's namespace, routing no other host. */
function adoptionCouldDelete(o: RoutingObject, namespace: string): boolean {
  if (o.metadata.namespace !== namespace) return false;
  const hosts = (o.spec as { hosts?: string[] }).hosts;
  return !hosts || hosts.length <= 1;
}

/**
 * One cluster back to recorded objects: each recorded object that is gone, or that is now ours
 * (this entity's) and differs, is written as recorded; our objects of this entity that were not
 * recorded are removed.
 */
function restoreChange(
  cluster: ClusterChange['cluster'],
  current: RoutingObject[],
  recorded: RoutingObject[],
  entityRef: string,
  namespace: string,
): ClusterChange {
  const now = new Map(current.map(o => [objectKey(o), o]));
  const wanted = new Set(recorded.map(objectKey));
  const ours = (o: RoutingObject) => writtenFor(o) === entityRef;
  return {
    cluster,
    before: current,
    write: recorded
      .filter(o => {
        const held = now.get(objectKey(o));
        if (held)
          return (
            ours(held) && decidedFields(held) !== decidedFields(restorable(o))
          );
        // Gone: recreated when it was ours, or when an adoption may have deleted it (one that
        // routed only this host, in its namespace); anything else its owner removed.
        return ours(o) || adoptionCouldDelete(o, namespace);
      })
      .map(restorable),
    remove: current.filter(o => ours(o) && !wanted.has(objectKey(o))),
  };
}

/**
 * A safety change's outcome with every config cluster in it: the ones it did not write (not
 * reachable when it started) and the ones a write failed on hold what they held, and say so.
 */
function withUnreached(
  result: WriteResult,
  live: LiveState,
  changes: ClusterChange[],
  targeted: string[],
): WriteResult {
  const attempted = new Set(changes.map(c => c.cluster.name));
  const unreached: ClusterApplyResult[] = live.clusters
    .filter(c => targeted.includes(c.cluster) && !attempted.has(c.cluster))
    .map(c => ({
      cluster: c.cluster,
      outcome: 'interrupted',
      holds: 'before',
      message: `not reached (${
        c.error ?? 'unreachable'
      }); it still holds what it held`,
    }));
  const clusters = [
    ...result.clusters.map(
      (c): ClusterApplyResult =>
        c.outcome === 'applied' || c.outcome === 'unchanged'
          ? { ...c, holds: 'intended' }
          : { ...c, outcome: 'interrupted', holds: 'unknown' },
    ),
    ...unreached,
  ].sort((a, b) => a.cluster.localeCompare(b.cluster));
  return {
    ...result,
    ok: result.ok && !unreached.length,
    clusters,
  };
}

/**
 * Removing ours beside routing that Git holds for the host (an object a GitOps tool manages, or
 * has started to co-manage, in any namespace) could leave Git's VirtualService naming subsets we
 * delete: the removal waits until the host's routing is out of Git. A removal adopts nothing, so
 * a mesh that lets GitOps objects be adopted is no exception.
 */
function refuseRemovalBesideGitOps(live: LiveState) {
  const inGit = live.clusters.flatMap(c =>
    c.state.routing.filter(o => o.owner === 'argo-cd' || o.owner === 'flux'),
  );
  if (inGit.length)
    throw new ConflictError(
      `the routing cannot be removed here: ${[
        ...new Set(inGit.map(o => o.reason)),
      ].join('; ')}`,
    );
}
