import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ApplyResponse,
  MeshTarget,
  RolloutAction,
  RolloutCheck,
  RolloutEvaluation,
  RolloutRequest,
  RolloutState,
  RolloutWave,
  serviceHost,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { followCanary } from '../analysis/followCanary';
import { judgeCluster } from '../analysis/verdict';
import { hostKey, MeshStore } from '../database/MeshStore';
import { Rollout, rolloutState } from '../database/RolloutStore';
import {
  ApplyOutcome,
  ApplyRequestContext,
  MeshApplier,
} from '../service/MeshApplier';
import { MeshStateService } from '../service/MeshStateService';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import {
  asAnalysis,
  checkedWaves,
  judgedVersions,
  rolloutVerdict,
} from './rolloutWaves';

/** Who the history names for the waves the scheduler writes (on behalf of the user who started it). */
export const ROLLOUT_ACTOR = 'plugin:mesh/rollout';

type WaveOutcome = { ok: true; historyId: number } | { ok: false; why: string };

/** What came of one wave's (or an undo's) apply, as a sentence when it did not land. */
function waveOutcome(outcome: ApplyOutcome | { error: string }): WaveOutcome {
  if ('error' in outcome) return { ok: false, why: outcome.error };
  if (!outcome.valid)
    return {
      ok: false,
      why: outcome.issues.map(i => `${i.path} ${i.message}`).join('; '),
    };
  if (!outcome.ok)
    return {
      ok: false,
      why: `history #${outcome.historyId}: ${outcome.clusters
        .map(
          c => `${c.cluster} ${c.outcome}${c.message ? ` (${c.message})` : ''}`,
        )
        .join(', ')}`,
    };
  return { ok: true, historyId: outcome.historyId };
}

const doneClusters = (r: Rollout) =>
  r.waves.filter(w => w.status === 'done').flatMap(w => w.clusters);

/**
 * Writes a change wave by wave: the first wave at once, each next one when the last has baked
 * and (when the rollout has checks) every version the change sends more traffic to passes on the
 * clusters done so far. A failed check, or a wave that fails, puts every wave done back to what it
 * held. Each wave is a transaction of its own; the rollout, its waves and its evaluations are in
 * the database, and the scheduler carries them on across restarts and replicas.
 */
export class RolloutConductor {
  constructor(
    private readonly state: MeshStateService,
    private readonly store: MeshStore,
    private readonly applier: Pick<MeshApplier, 'apply' | 'remove'>,
    private readonly metrics: MeshMetrics,
    private readonly logger?: LoggerService,
  ) {}

  /** Applies the first wave and records the rollout; one wave of every cluster is a plain apply. */
  async start(
    request: ApplyRequestContext & { rollout: RolloutRequest },
    now = Date.now(),
  ): Promise<ApplyOutcome> {
    const { rollout, ...change } = request;
    const mesh = this.state.meshFor(change.target);
    const waves = checkedWaves(mesh, rollout);
    if (waves.length === 1) return this.applier.apply(change);
    const before = await this.state.read(change.target);
    // Clusters that hold no routing config (remotes' version Services) go with the first wave.
    const others = before.clusters
      .filter(c => !c.isConfigCluster)
      .map(c => c.cluster);
    const outcome = await this.applier.apply({
      ...change,
      clusters: [...waves[0], ...others],
    });
    if (!outcome.valid || !outcome.ok) return outcome;
    const rolloutId = await this.store.rollouts.create({
      hostKey: hostKey(change.target),
      entityRef: change.target.entityRef,
      target: change.target,
      startedBy: change.onBehalfOf ?? change.actor,
      status: 'baking',
      ...(before.intent ? { intentBefore: before.intent } : {}),
      intentAfter:
        (
          await this.state.read(change.target)
        ).clusters.find(c => waves[0].includes(c.cluster))?.intent ??
        (change.intent as Rollout['intentAfter']),
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
  async advanceDue(now = Date.now()): Promise<number> {
    const due = await this.store.rollouts.due(now);
    for (const r of due) {
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
    now = Date.now(),
  ): Promise<RolloutState> {
    const running = await this.store.rollouts.inProgress(hostKey(target));
    if (!running)
      throw new NotFoundError(
        `${target.entityRef} has no rollout in progress to ${action}`,
      );
    await this.underRolloutLock(running, async () => {
      const r = (await this.store.rollouts.get(running.id))!;
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
    else if (action === 'finish') await this.finish(r, actor, now);
    else await this.rollBack(r, `rolled back by ${actor}`, 'rolled-back');
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
    if (!r || r.status !== 'baking' || (r.nextAt ?? Infinity) > now) return;
    // Rescheduled first: a step that fails, or a replica that dies, is retried a bake later.
    await this.store.rollouts.update(r.id, { nextAt: now + r.bakeMs });
    const evaluation = await this.evaluate(r, now);
    const evaluations = [...r.evaluations, evaluation];
    await this.store.rollouts.update(r.id, { evaluations });
    if (evaluation.verdict === 'fail')
      await this.rollBack(
        { ...r, evaluations },
        `a check failed after wave ${evaluation.wave}: ${evaluation.reason}`,
        'rolled-back',
      );
    else if (evaluation.verdict === 'pass')
      await this.nextWave({ ...r, evaluations }, now);
  }

  /** The checks on the clusters done so far, or the bake alone when the rollout has none. */
  private async evaluate(r: Rollout, now: number): Promise<RolloutEvaluation> {
    const wave = r.waves.filter(w => w.status === 'done').length;
    const at = new Date(now).toISOString();
    if (!r.checks)
      return {
        at,
        wave,
        verdict: 'pass',
        reason: `baked ${r.bakeMs / 1000}s`,
        checks: [],
      };
    try {
      const checks = await this.checks(r);
      return { at, wave, ...rolloutVerdict(checks), checks };
    } catch (e) {
      return {
        at,
        wave,
        verdict: 'inconclusive',
        reason: `no figures: ${(e as Error).message}`,
        checks: [],
      };
    }
  }

  private async checks(r: Rollout): Promise<RolloutCheck[]> {
    const live = await this.state.read(r.target);
    const done = new Set(doneClusters(r));
    const analysis = asAnalysis(r.checks!, r.bakeMs / 1000);
    const out: RolloutCheck[] = [];
    for (const version of judgedVersions(r.intentAfter, r.intentBefore)) {
      const figures = await this.metrics.candidate(
        live.mesh,
        serviceHost(r.target),
        version,
        `${Math.max(5, Math.round(r.bakeMs / 1000))}s`,
        r.checks!.latency?.percentile ?? 99,
      );
      const runsOn = [
        ...new Set(
          live.clusters
            .flatMap(c => c.state.workloads)
            .filter(w => w.version === version && w.readyReplicas > 0)
            .map(w => w.cluster)
            .filter(c => done.has(c)),
        ),
      ].sort();
      for (const cluster of runsOn)
        out.push({
          version,
          ...judgeCluster(
            figures.find(f => f.cluster === cluster) ?? {
              cluster,
              requests: 0,
            },
            analysis,
          ),
        });
    }
    return out;
  }

  /** One more wave, as a transaction on its clusters; the last one completes the rollout. */
  private async nextWave(r: Rollout, now: number) {
    const index = r.waves.findIndex(w => w.status === 'pending');
    const result = await this.write(
      r,
      r.waves[index].clusters,
      `wave ${index + 1} of ${r.waves.length}`,
    );
    if (!result.ok) {
      await this.rollBack(
        r,
        `wave ${index + 1} failed and was undone (${result.why})`,
        'failed',
      );
      return;
    }
    const waves: RolloutWave[] = r.waves.map((w, i) =>
      i === index
        ? {
            ...w,
            status: 'done',
            historyId: result.historyId,
            appliedAt: new Date(now).toISOString(),
          }
        : w,
    );
    await this.settle(r, waves, now);
  }

  /** Every wave left, at once: a person's "finish now". */
  private async finish(r: Rollout, actor: string, now: number) {
    const pending = r.waves.filter(w => w.status === 'pending');
    const result = await this.write(
      r,
      pending.flatMap(w => w.clusters),
      `finished now by ${actor}`,
    );
    if (!result.ok) {
      await this.rollBack(
        r,
        `finishing failed and was undone (${result.why})`,
        'failed',
      );
      return;
    }
    const waves: RolloutWave[] = r.waves.map(w =>
      w.status === 'pending'
        ? {
            ...w,
            status: 'done',
            historyId: result.historyId,
            appliedAt: new Date(now).toISOString(),
          }
        : w,
    );
    await this.settle(r, waves, now, `finished now by ${actor}`);
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
        Date.now(),
        {
          waves: r.waves.map(w => w.clusters),
          bakeSeconds: r.bakeMs / 1000,
          ...(r.checks ? { checks: r.checks } : {}),
        },
      );
  }

  /** The change on some clusters, as the user who started the rollout. */
  private async write(
    r: Rollout,
    clusters: string[],
    what: string,
  ): Promise<WaveOutcome> {
    const live = await this.state.read(r.target);
    const outcome = await this.applier
      .apply({
        target: r.target,
        actor: ROLLOUT_ACTOR,
        onBehalfOf: r.startedBy,
        reason: `rollout #${r.id}: ${what}`,
        intent: r.intentAfter,
        revision: live.revision,
        clusters,
        rolloutId: r.id,
      })
      .catch((e: Error) => ({ error: e.message }));
    return waveOutcome(outcome);
  }

  /** Puts every wave done back to what it held before the rollout, as one transaction. */
  private async rollBack(
    r: Rollout,
    reason: string,
    status: 'rolled-back' | 'failed',
  ) {
    const clusters = doneClusters(r);
    const undo = await this.undo(r, clusters, reason);
    const waves: RolloutWave[] = r.waves.map(w =>
      w.status === 'done' ? { ...w, status: 'rolled-back' } : w,
    );
    await this.store.rollouts.update(r.id, {
      status: undo.ok ? status : 'failed',
      waves: undo.ok ? waves : r.waves,
      nextAt: undefined,
      reason: undo.ok
        ? `${reason}; ${clusters.join(', ')} put back`
        : `${reason}; putting ${clusters.join(', ')} back failed: ${undo.why}`,
    });
  }

  private async undo(
    r: Rollout,
    clusters: string[],
    reason: string,
  ): Promise<WaveOutcome> {
    const live = await this.state.read(r.target);
    const context = {
      target: r.target,
      actor: ROLLOUT_ACTOR,
      onBehalfOf: r.startedBy,
      reason: `rollout #${r.id}: ${reason}`,
      revision: live.revision,
      clusters,
      rolloutId: r.id,
    };
    const outcome: ApplyOutcome | ApplyResponse | { error: string } =
      await (r.intentBefore
        ? this.applier.apply({ ...context, intent: r.intentBefore })
        : this.applier.remove(context)
      ).catch((e: Error) => ({ error: e.message }));
    return waveOutcome(
      'valid' in outcome || 'error' in outcome
        ? outcome
        : { valid: true, ...outcome },
    );
  }
}
