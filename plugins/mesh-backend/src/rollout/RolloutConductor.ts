import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApplyResponse,
  canonicalJson,
  MeshTarget,
  RolloutAction,
  RolloutRequest,
  RolloutState,
  RolloutWave,
  RoutingObject,
  TrafficIntent,
  validateIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { followCanary } from '../apply/followCanary';
import { hostKey, MeshStore } from '../database/MeshStore';
import { Rollout, rolloutState } from '../database/RolloutStore';
import {
  ApplyOutcome,
  ApplyRequestContext,
  MeshApplier,
} from '../apply/MeshApplier';
import { LiveStateReader } from '../read/LiveStateReader';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import { checkedWaves } from './rolloutWaves';
import { doneClusters, evaluateWave } from './waveChecks';
import {
  describeClusters,
  landed,
  WaveOutcome,
  waveOutcome,
} from './waveOutcome';
import { HostStandingCheck } from '../ownership/hostStanding';

/** How often a rollback owed to clusters it could not reach is tried again, and for how long. */
const RETRY_MS = 30_000;
const RETRY_FOR_MS = 30 * 60_000;

/** The waves done, rolled back, but for the clusters still owed the rollback. */
function rolledBack(waves: RolloutWave[], owed: string[]): RolloutWave[] {
  return waves.map(w => {
    if (w.status === 'pending') return w;
    const still = w.clusters.filter(c => owed.includes(c));
    const wave = { ...w };
    delete wave.owed;
    return still.length
      ? { ...wave, status: 'done', owed: still }
      : { ...wave, status: 'rolled-back' };
  });
}

/** Who the history names for the waves the scheduler writes (on behalf of the user who started it). */
export const ROLLOUT_ACTOR = 'plugin:mesh/rollout';

/**
 * Writes a change wave by wave: the first wave at once, each next one when the last has baked
 * and (when the rollout has checks) every version the change sends more traffic to passes on the
 * clusters done so far. A failed check, or a wave that fails, puts every wave done back to what it
 * held. Each wave is a transaction of its own; the rollout, its waves and its evaluations are in
 * the database, and the scheduler carries them on across restarts and replicas.
 */
export class RolloutConductor {
  constructor(
    private readonly state: LiveStateReader,
    private readonly store: MeshStore,
    private readonly applier: Pick<MeshApplier, 'apply' | 'remove' | 'restore'>,
    private readonly metrics: MeshMetrics,
    private readonly logger?: LoggerService,
    /** Why the host's entity may not write it now, if so: a scheduled wave is not written then. */
    private readonly standing?: HostStandingCheck,
  ) {}

  /** Applies the first wave and records the rollout; one wave of every cluster is a plain apply. */
  async start(
    request: ApplyRequestContext & { rollout: RolloutRequest },
    at?: number,
  ): Promise<ApplyOutcome> {
    const now = at ?? (await this.store.now());
    const { rollout, ...change } = request;
    const mesh = this.state.meshFor(change.target);
    const waves = checkedWaves(mesh, rollout);
    if (waves.length === 1) return this.applier.apply(change);
    // What the user planned against, from the watch caches.
    const before = await this.state.read(change.target);
    // Clusters that hold no routing config (remotes' version Services) go with the first wave.
    const others = mesh.clusters
      .map(c => c.name)
      .filter(name => !mesh.placement.configClusters.includes(name));
    const outcome = await this.applier.apply({
      ...change,
      clusters: [...waves[0], ...others],
    });
    if (!outcome.valid || !outcome.ok) return outcome;
    // The intent as validation reads it (defaults and all); the apply has just accepted it.
    const shape = validateIntent(change.intent);
    const rolloutId = await this.store.rollouts.create({
      hostKey: hostKey(change.target),
      entityRef: change.target.entityRef,
      target: change.target,
      startedBy: change.onBehalfOf ?? change.actor,
      status: 'baking',
      ...(before.intent ? { intentBefore: before.intent } : {}),
      intentAfter: shape.ok
        ? shape.intent
        : (change.intent as Rollout['intentAfter']),
      waves: waves.map((clusters, i) =>
        i === 0
          ? {
              clusters,
              status: 'done',
              historyId: outcome.historyId,
              appliedAt: new Date(now).toISOString(),
            }
          : { clusters, status: 'pending' },
      ),
      bakeMs: rollout.bakeSeconds * 1000,
      ...(rollout.checks ? { checks: rollout.checks } : {}),
      nextAt: now + rollout.bakeSeconds * 1000,
    });
    return { ...outcome, rolloutId };
  }

  /** Carries on every baking rollout whose bake is over; one failing never stops the others. */
  async advanceDue(now = Date.now(), signal?: AbortSignal): Promise<number> {
    const due = await this.store.rollouts.due(now);
    for (const r of due) {
      // The scheduler gave up on this run (its timeout): start nothing more.
      if (signal?.aborted) break;
      try {
        await this.underRolloutLock(r, () => this.advance(r.id, now));
      } catch (e) {
        this.logger?.warn(`mesh: rollout #${r.id} of ${r.entityRef}: ${e}`);
      }
    }
    return due.length;
  }

  /** The entity's rollout: the one in progress, or the last. */
  async stateFor(entityRef: string): Promise<RolloutState | undefined> {
    const r = await this.store.rollouts.latest(entityRef);
    return r ? rolloutState(r) : undefined;
  }

  /** A person's pause, resume, finish now or roll back of the host's rollout in progress. */
  async act(
    target: MeshTarget,
    action: RolloutAction,
    actor: string,
    at?: number,
  ): Promise<RolloutState> {
    const now = at ?? (await this.store.now());
    const running = await this.store.rollouts.inProgress(hostKey(target));
    if (!running)
      throw new NotFoundError(
        `${target.entityRef} has no rollout in progress to ${action}`,
      );
    // Steering is the right of the entity that started it, as adopting is: the caller was
    // authorized on target.entityRef, so another entity naming the same host is refused here.
    if (running.entityRef !== target.entityRef)
      throw new NotAllowedError(
        `rollout #${running.id} of ${target.service} in ${target.namespace} was started by ${running.entityRef}; only who may change ${running.entityRef}'s routing steers it, from its page`,
      );
    await this.underRolloutLock(running, async () => {
      const r = (await this.store.rollouts.get(running.id))!;
      if (r.status === 'rolling-back')
        throw new ConflictError(
          `rollout #${r.id} is rolling back: ${r.reason ?? ''}`,
        );
      if (r.status !== 'baking' && r.status !== 'paused')
        throw new ConflictError(`rollout #${r.id} has ended (${r.status})`);
      await this.perform(r, action, actor, now);
    });
    return rolloutState((await this.store.rollouts.get(running.id))!);
  }

  private async perform(
    r: Rollout,
    action: RolloutAction,
    actor: string,
    now: number,
  ) {
    const rollouts = this.store.rollouts;
    if (action === 'pause')
      await rollouts.update(r.id, {
        status: 'paused',
        nextAt: undefined,
        reason: `paused by ${actor}`,
      });
    else if (action === 'resume')
      await rollouts.update(r.id, {
        status: 'baking',
        nextAt: now,
        reason: undefined,
      });
    // The writes a person's action makes are on that person's behalf in history, not the starter's.
    else if (action === 'finish')
      await this.finish({ ...r, startedBy: actor }, actor, now);
    else
      await this.rollBack(
        { ...r, startedBy: actor },
        `rolled back by ${actor}`,
        'rolled-back',
      );
  }

  /** Serializes what replicas do to one rollout: the scheduler's step and a person's action. */
  private underRolloutLock<T>(r: Rollout, work: () => Promise<T>) {
    return this.store.locks.withLock(
      `${r.hostKey}#rollout`,
      work,
      `rollout #${r.id} is being changed; try again in a moment`,
    );
  }

  private async advance(id: number, now: number) {
    const r = await this.store.rollouts.get(id);
    if (!r || (r.nextAt ?? Infinity) > now) return;
    if (r.status === 'rolling-back') {
      await this.store.rollouts.update(r.id, { nextAt: now + RETRY_MS });
      await this.retryRollBack(r, now);
      return;
    }
    if (r.status !== 'baking') return;
    // Rescheduled first: a step that fails, or a replica that dies, is retried a bake later.
    await this.store.rollouts.update(r.id, { nextAt: now + r.bakeMs });
    const evaluation = await evaluateWave(r, now, this.state, this.metrics);
    const evaluations = [...r.evaluations, evaluation];
    await this.store.rollouts.update(r.id, { evaluations });
    if (evaluation.verdict === 'fail')
      await this.rollBack(
        { ...r, evaluations },
        `a check failed after wave ${evaluation.wave}: ${evaluation.reason}`,
        'rolled-back',
      );
    else if (evaluation.verdict === 'pass') {
      // The next wave is a write on the starter's behalf: only while the entity may still write
      // the host (a mesh admin adopted it for another, or its namespace was bound to others).
      const blocked = await this.standing?.(r.target);
      if (blocked)
        await this.store.rollouts.update(r.id, {
          status: 'paused',
          nextAt: undefined,
          reason: `paused: ${blocked}`,
        });
      else await this.nextWave({ ...r, evaluations }, now);
    }
  }

  /** One more wave, as a transaction on its clusters; the last one completes the rollout. */
  private async nextWave(r: Rollout, now: number) {
    const index = r.waves.findIndex(w => w.status === 'pending');
    await this.writeWaves(r, [index], now, {
      what: `wave ${index + 1} of ${r.waves.length}`,
      failed: `wave ${index + 1} failed`,
    });
  }

  /** Every wave left, at once: a person's "finish now". */
  private async finish(r: Rollout, actor: string, now: number) {
    const pending = r.waves.flatMap((w, i) =>
      w.status === 'pending' ? [i] : [],
    );
    await this.writeWaves(r, pending, now, {
      what: `finished now by ${actor}`,
      failed: 'finishing failed',
      settled: `finished now by ${actor}`,
    });
  }

  /**
   * Some pending waves as one transaction on their clusters: done when it lands, and when it
   * fails (it is undone by its own transaction) every wave done before is put back too.
   */
  private async writeWaves(
    r: Rollout,
    indexes: number[],
    now: number,
    says: { what: string; failed: string; settled?: string },
  ) {
    const result = await this.write(
      r,
      indexes.flatMap(i => r.waves[i].clusters),
      says.what,
      r.intentAfter,
    );
    if (!result.ok) {
      await this.rollBack(
        r,
        `${says.failed} and was undone (${result.why})`,
        'failed',
      );
      return;
    }
    const waves: RolloutWave[] = r.waves.map((w, i) =>
      indexes.includes(i)
        ? {
            ...w,
            status: 'done',
            historyId: result.historyId,
            appliedAt: new Date(now).toISOString(),
          }
        : w,
    );
    await this.settle(r, waves, now, says.settled);
  }

  /** Records the waves; with none pending the rollout is complete and its canary (if any) followed. */
  private async settle(
    r: Rollout,
    waves: RolloutWave[],
    now: number,
    reason?: string,
  ) {
    const complete = waves.every(w => w.status === 'done');
    await this.store.rollouts.update(r.id, {
      waves,
      ...(complete
        ? { status: 'completed', nextAt: undefined, reason }
        : { nextAt: now + r.bakeMs }),
    });
    if (complete)
      await followCanary(
        this.store.canaries,
        r.target,
        r.intentAfter,
        r.startedBy,
        now,
        {
          waves: r.waves.map(w => w.clusters),
          bakeSeconds: r.bakeMs / 1000,
          ...(r.checks ? { checks: r.checks } : {}),
        },
      );
  }

  /**
   * Puts every wave done back to what it held before the rollout, as one transaction that
   * reaches every cluster it can. Clusters it could not reach are owed the rollback: the rollout
   * is rolling back, and the scheduler tries them again until each is put back.
   */
  private async rollBack(
    r: Rollout,
    reason: string,
    status: 'rolled-back' | 'failed',
  ) {
    const clusters = doneClusters(r);
    const undo = await this.restore(r, reason, clusters);
    const owed = clusters.filter(c => !undo.putBack.includes(c));
    const put = undo.putBack.length
      ? `${undo.putBack.join(', ')} put back`
      : 'nothing put back yet';
    if (!owed.length) {
      await this.store.rollouts.update(r.id, {
        status,
        waves: rolledBack(r.waves, []),
        nextAt: undefined,
        reason: `${reason}; ${put}`,
      });
      return;
    }
    const now = await this.store.now();
    await this.store.rollouts.update(r.id, {
      status: 'rolling-back',
      endsAs: status,
      rollbackUntil: now + RETRY_FOR_MS,
      waves: rolledBack(r.waves, owed),
      nextAt: now + RETRY_MS,
      reason: `${reason}; ${put}; ${owed.join(', ')} not yet (${
        undo.why
      }), tried again every ${RETRY_MS / 1000} s for up to ${
        RETRY_FOR_MS / 60_000
      } min`,
    });
  }

  /**
   * A rollback's clusters still owed, tried again. One that holds what the rollout wrote, or no
   * intent at all (a restore cut off halfway), is put back to its journal's objects; one already
   * back where it was counts as put back; one holding a third intent was changed by hand since
   * and is left as it is; one still unreachable stays owed, until the retries run out and the
   * rollout ends failed, naming it, for a person to finish or undo from History.
   */
  private async retryRollBack(r: Rollout, now: number) {
    const owed = r.waves.flatMap(w => w.owed ?? []);
    const live = await this.state.read(r.target);
    const after = canonicalJson(r.intentAfter);
    const before = r.intentBefore && canonicalJson(r.intentBefore);
    const holds = (name: string) => {
      const c = live.clusters.find(x => x.cluster === name);
      if (!c?.reachable) return 'unreachable';
      const intent = c.intent && canonicalJson(c.intent);
      if (!intent || intent === after) return 'due';
      return intent === before ? 'back' : 'changed';
    };
    const holding = new Map(owed.map(name => [name, holds(name)]));
    const by = (kind: string) => owed.filter(c => holding.get(c) === kind);
    const [unreachable, back, changed] = [
      by('unreachable'),
      by('back'),
      by('changed'),
    ];
    const due = by('due');
    const undo = due.length
      ? await this.restore(r, r.reason ?? 'rolling back', due)
      : { putBack: [] as string[], why: '' };
    const failed = due.filter(c => !undo.putBack.includes(c));
    const still = [...unreachable, ...failed];
    const putBack = [...back, ...undo.putBack];
    const said = [
      putBack.length && `${putBack.join(', ')} put back`,
      changed.length &&
        `${changed.join(', ')} changed by hand since and left as it is`,
      unreachable.length && `${unreachable.join(', ')} still unreachable`,
      failed.length && `${failed.join(', ')} not put back (${undo.why})`,
    ].filter(Boolean);
    const base = (r.reason ?? '').replace(/; (now|then|gave up): .*$/, '');
    const givingUp = still.length > 0 && now >= (r.rollbackUntil ?? Infinity);
    let stage = still.length ? 'now' : 'then';
    if (givingUp) stage = 'gave up';
    let ending: Pick<Rollout, 'status'> = { status: r.endsAs ?? 'rolled-back' };
    if (givingUp) ending = { status: 'failed' };
    await this.store.rollouts.update(r.id, {
      waves: rolledBack(r.waves, still),
      reason: `${base}; ${stage}: ${said.join('; ')}${
        givingUp
          ? `; ${still.join(
              ', ',
            )} still hold the rollout's change: finish or undo it from History`
          : ''
      }`,
      ...(still.length && !givingUp
        ? { nextAt: now + RETRY_MS }
        : { ...ending, nextAt: undefined }),
    });
  }

  /**
   * Clusters a wave reached, back to the objects its wave's journal row recorded for them
   * before writing: exactly what was there (an adoption's deletes recreated, a hand edit since
   * undone), not a rebuild from an intent, which a drifted or disagreeing host does not have.
   * Answers which of them now hold it.
   */
  private async restore(
    r: Rollout,
    why: string,
    clusters: string[],
  ): Promise<{ putBack: string[]; why: string }> {
    const objects: Record<string, RoutingObject[]> = {};
    for (const wave of r.waves) {
      if (!wave.historyId) continue;
      const entry = await this.store.entry(r.entityRef, wave.historyId);
      for (const cluster of wave.clusters)
        if (clusters.includes(cluster) && entry?.before?.[cluster])
          objects[cluster] = entry.before[cluster];
    }
    const outcome = await this.applier
      .restore({
        target: r.target,
        actor: ROLLOUT_ACTOR,
        onBehalfOf: r.startedBy,
        reason: `rollout #${r.id}: ${why}`,
        objects,
        intentAfter: r.intentBefore,
        rolloutId: r.id,
      })
      .catch((e: Error) => ({ error: e.message }));
    if ('error' in outcome) return { putBack: [], why: outcome.error };
    const written = outcome.clusters.filter(landed).map(c => c.cluster);
    // A cluster the journal holds nothing for had nothing to put back.
    const putBack = clusters.filter(c => written.includes(c) || !objects[c]);
    const missed = describeClusters(outcome.clusters.filter(c => !landed(c)));
    return { putBack, why: missed };
  }

  /**
   * An intent on some clusters as the user who started the rollout (the rolled-out one, or what
   * was there before); no intent removes ours, as when there was no routing before.
   */
  private async write(
    r: Rollout,
    clusters: string[],
    what: string,
    intent: TrafficIntent | undefined,
  ): Promise<WaveOutcome> {
    const live = await this.state.read(r.target);
    const context = {
      target: r.target,
      actor: ROLLOUT_ACTOR,
      onBehalfOf: r.startedBy,
      reason: `rollout #${r.id}: ${what}`,
      revision: live.revision,
      clusters,
      rolloutId: r.id,
    };
    const outcome: ApplyOutcome | ApplyResponse | { error: string } =
      await (intent
        ? this.applier.apply({ ...context, intent })
        : this.applier.remove(context)
      ).catch((e: Error) => ({ error: e.message }));
    return waveOutcome(outcome);
  }
}
