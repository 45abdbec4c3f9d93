import { LoggerService } from '@backstage/backend-plugin-api';
import {
  canonicalJson,
  CanaryAnalysis,
  CanaryAnalysisState,
  ClusterCheck,
  RolloutRequest,
  serviceHost,
  TrafficIntent,
  withCanary,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { CanaryRun } from '../database/CanaryStore';
import { MeshStore } from '../database/MeshStore';
import { ApplyRequestContext, ApplyOutcome } from '../apply/MeshApplier';
import { LiveState, LiveStateReader } from '../read/LiveStateReader';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import { ANALYSIS_ACTOR } from '../apply/followCanary';
import { clustersRunning, judgeVersionOn } from './judgeVersion';
import { readinessChecks, routedShare, withReadiness } from './readiness';
import { callerFailureChecks, withCallerFailures } from './callerFailures';
import { HostStandingCheck } from '../ownership/hostStanding';
import { CanaryDecision, CanaryJudgement, judgeInterval } from './verdict';

type AutoCanary = NonNullable<TrafficIntent['canary']> & {
  analysis: CanaryAnalysis;
};

/**
 * Starts a change as a rollout in waves (the rollout conductor, wired in by the plugin): a
 * canary's step on a mesh that rolls out cluster by cluster goes through it.
 */
export interface WaveStarter {
  start(
    request: ApplyRequestContext & { rollout: RolloutRequest },
  ): Promise<ApplyOutcome>;
}

/**
 * Judges every automatic canary whose interval is over, per cluster, from its mesh's Prometheus
 * and from what the clusters say of the candidate (routed but not ready is a failed check), and
 * acts on the verdict through the same transactional apply as a person's change: advance or
 * promote when every cluster passes; abort everywhere at the failure limit, the inconclusive or
 * error limit, or the step's progress deadline. Every judgement is recorded with its figures;
 * the change it makes names the user who started the canary.
 */
export class CanaryAnalyst {
  constructor(
    private readonly state: LiveStateReader,
    private readonly store: MeshStore,
    private readonly applier: {
      apply(request: ApplyRequestContext): Promise<ApplyOutcome>;
    },
    private readonly metrics: MeshMetrics,
    private readonly logger?: LoggerService,
    /** Steps of a canary started as a rollout go wave by wave through it. */
    private readonly conductor?: WaveStarter,
    /** Why the host's entity may not write it now: an advance or promotion waits then. */
    private readonly standing?: HostStandingCheck,
  ) {}

  /** Evaluates the runs that are due; one failing never stops the others. */
  async evaluateDue(now = Date.now(), signal?: AbortSignal): Promise<number> {
    const due = await this.store.canaries.due(now);
    for (const run of due) {
      // The scheduler gave up on this run (its timeout): start nothing more.
      if (signal?.aborted) break;
      try {
        await this.evaluateOnce(run.hostKey, now);
      } catch (e) {
        this.logger?.warn(
          `mesh: the canary analysis of ${run.entityRef} failed: ${e}`,
        );
      }
    }
    return due.length;
  }

  async stateFor(
    entityRef: string,
    page: { before?: number } = {},
  ): Promise<CanaryAnalysisState> {
    const [run, evaluations, pruned] = await Promise.all([
      this.store.canaries.runFor(entityRef),
      this.store.canaries.evaluations(entityRef, page),
      this.store.canaries.summary(entityRef),
    ]);
    return {
      ...(run
        ? {
            run: {
              startedBy: run.startedBy,
              step: run.step,
              failures: run.failures,
              inconclusive: run.inconclusive,
              errors: run.errors,
              stepSince: new Date(run.stepSince).toISOString(),
              nextEvaluationAt: new Date(run.nextAt).toISOString(),
            },
          }
        : {}),
      evaluations: evaluations.items,
      ...(evaluations.more
        ? { olderBefore: evaluations.items[evaluations.items.length - 1].id }
        : {}),
      ...(pruned ? { pruned } : {}),
    };
  }

  /**
   * One judgement per interval, whichever replica or overlapping run gets there: under the host's
   * canary lock, and only if the run is still due once it is held (the one before rescheduled it).
   */
  private async evaluateOnce(key: string, now: number) {
    await this.store.locks.ifFree(`${key}#canary`, async () => {
      const run = await this.store.canaries.run(key);
      if (run && run.nextAt <= now) await this.evaluate(run, now);
    });
  }

  private async evaluate(run: CanaryRun, now: number) {
    const canaries = this.store.canaries;
    // Rescheduled first: a change that fails, or a replica that dies, is retried an interval later.
    await canaries.update(run.hostKey, { nextAt: now + run.intervalMs });
    // A step still rolling out is judged when its last wave has landed.
    if (await this.store.rollouts.inProgress(run.hostKey)) return;
    const live = await this.state.read(run.target);
    if (run.aborting) {
      await this.retryAbort(run, live);
      return;
    }
    // When the clusters disagree (one unreachable, an unfinished change, a hand edit) the canary is
    // judged from the intent it stands at, so its limits still run; only an abort is then written.
    const intent = live.intent ?? run.intent;
    const canary = intent?.canary;
    if (!intent) {
      await this.record(run, {
        verdict: 'inconclusive',
        action: 'none',
        failures: run.failures,
        reason:
          'the config clusters hold different routing (an unfinished change or a hand edit); finish or undo it first',
      });
      return;
    }
    if (!canary?.auto || !canary.analysis) {
      await canaries.remove(run.hostKey);
      return;
    }
    const auto = canary as AutoCanary;
    // What the clusters say of the candidate counts even when Prometheus cannot be read.
    const [measured, callers] = await Promise.all([
      this.checks(live, auto, run),
      this.callerChecks(live, auto, run, intent),
    ]);
    const outcome = intervalOutcome(
      measured,
      withCallerFailures(
        readinessChecks(live, auto.candidate, intent),
        callers,
      ),
    );
    let decision = judgeInterval(outcome, auto, run, now);
    if (!live.intent && decision.action !== 'abort')
      decision = {
        ...decision,
        action: 'none',
        reason: `${decision.reason}; not moved on while the config clusters hold different routing (an unreachable cluster, an unfinished change or a hand edit)`,
      };
    if (decision.action === 'advance' || decision.action === 'promote') {
      const blocked = await this.standing?.(run.target);
      if (blocked)
        decision = {
          ...decision,
          action: 'none',
          reason: `${decision.reason}; not moved on: ${blocked}`,
        };
    }
    const clusters = 'checks' in outcome ? outcome.checks : [];
    if (decision.action === 'none') {
      await canaries.update(run.hostKey, countersOf(decision));
      await this.record(run, decision, clusters, auto);
      return;
    }
    await this.act(run, live, intent, auto, decision, clusters);
  }

  /**
   * An abort that did not reach every config cluster, written again to the ones that still hold
   * what the canary stood at: every interval, until none does (the run ends then). A cluster that
   * holds anything else was changed since by someone else: the abort is not written over it, and
   * the run ends, as that change took the host over.
   */
  private async retryAbort(run: CanaryRun, live: LiveState) {
    const same = (a?: TrafficIntent, b?: TrafficIntent) =>
      a !== undefined &&
      b !== undefined &&
      canonicalJson(a) === canonicalJson(b);
    const config = live.clusters.filter(c => c.isConfigCluster && c.reachable);
    const unread = live.clusters.filter(c => c.isConfigCluster && !c.reachable);
    const owed = config.filter(c => same(c.intent, run.intent));
    const overtaken = config.filter(
      c => !same(c.intent, run.intent) && !same(c.intent, run.aborting),
    );
    // A cluster that cannot be read now may still hold the canary: the run waits for it.
    if (!overtaken.length && !owed.length && unread.length) {
      await this.record(run, {
        verdict: 'fail',
        action: 'none',
        failures: run.failures,
        reason: `the abort is owed to ${unread
          .map(c => `${c.cluster} (${c.error ?? 'unreachable'})`)
          .join(', ')}; tried again next interval`,
      });
      return;
    }
    if (overtaken.length || !owed.length) {
      await this.store.canaries.remove(run.hostKey);
      await this.record(run, {
        verdict: 'fail',
        action: 'none',
        failures: run.failures,
        reason: overtaken.length
          ? `the abort is not written again: ${overtaken
              .map(c => c.cluster)
              .join(', ')} changed since, by someone else`
          : 'the abort holds on every config cluster',
      });
      return;
    }
    const outcome = await this.applier
      .apply({
        target: run.target,
        actor: ANALYSIS_ACTOR,
        onBehalfOf: run.startedBy,
        reason:
          'canary analysis: the abort, written again to the config clusters it had not reached',
        intent: run.aborting,
        revision: live.revision,
        clusters: owed.map(c => c.cluster),
        safety: true,
      })
      .catch((e: Error) => ({ error: e.message }));
    await this.record(
      run,
      {
        verdict: 'fail',
        action: 'abort',
        failures: run.failures,
        reason: `the abort is retried on the clusters it had not reached: ${describeOutcome(
          outcome,
        )}`,
      },
      [],
      undefined,
      'historyId' in outcome ? outcome.historyId : undefined,
    );
  }

  /**
   * What the callers' own proxies failed while a share goes to the candidate: requests that
   * never reached it, which its own figures cannot show. Nothing when Prometheus cannot be read
   * (the candidate's own checks then count the error).
   */
  private async callerChecks(
    live: LiveState,
    canary: AutoCanary,
    run: CanaryRun,
    intent: TrafficIntent,
  ): Promise<ClusterCheck[]> {
    if (routedShare(intent, canary.candidate) <= 0) return [];
    const host = serviceHost(run.target);
    try {
      const figures = await this.metrics.callerFailures(
        live.mesh,
        host,
        `${Math.max(1, Math.round(run.intervalMs / 1000))}s`,
      );
      return callerFailureChecks(
        figures,
        canary.analysis,
        canary.candidate,
        host,
      );
    } catch {
      return [];
    }
  }

  /** Each cluster where the candidate runs, judged; a Prometheus error is no verdict at all. */
  private async checks(
    live: LiveState,
    canary: AutoCanary,
    run: CanaryRun,
  ): Promise<ClusterCheck[] | { error: string }> {
    try {
      return await judgeVersionOn(this.metrics, {
        live,
        target: run.target,
        version: canary.candidate,
        clusters: clustersRunning(live, canary.candidate),
        window: `${Math.max(1, Math.round(run.intervalMs / 1000))}s`,
        analysis: canary.analysis,
      });
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  private async act(
    run: CanaryRun,
    live: LiveState,
    intent: TrafficIntent,
    canary: AutoCanary,
    decision: CanaryJudgement,
    clusters: ClusterCheck[],
  ) {
    const action = decision.action as 'advance' | 'promote' | 'abort';
    const change = {
      target: run.target,
      actor: ANALYSIS_ACTOR,
      onBehalfOf: run.startedBy,
      reason: `canary analysis: ${decision.reason}`,
      intent: withCanary(intent, { action }),
      revision: live.revision,
      // An abort reaches every config cluster it can, and is retried on the others.
      safety: action === 'abort',
    };
    // An abort goes everywhere at once; a step of a canary started as a rollout goes wave by wave.
    const outcome = await (run.rollout && this.conductor && action !== 'abort'
      ? this.conductor.start({ ...change, rollout: run.rollout })
      : this.applier.apply(change)
    ).catch((e: Error) => ({ error: e.message }));
    let reason = decision.reason;
    let historyId: number | undefined;
    let landed = false;
    if ('error' in outcome)
      reason += `; the change was refused: ${outcome.error}`;
    else if (!outcome.valid)
      reason += `; the change was invalid: ${outcome.issues
        .map(i => `${i.path} ${i.message}`)
        .join('; ')}`;
    else {
      historyId = outcome.historyId;
      landed = outcome.ok;
      if (!landed && action === 'abort')
        reason += `; written where it could be: ${describeOutcome(
          outcome,
        )} (history #${historyId})`;
      else if (!landed)
        reason += `; the change failed and was undone (history #${historyId}); it is tried again next interval`;
    }
    // A change that landed set the run (or ended it); one that did not keeps the count. An abort
    // that reached some clusters is owed to the others; one refused outright is judged afresh.
    const partial =
      action === 'abort' && !landed && 'valid' in outcome && outcome.valid;
    if (!landed)
      await this.store.canaries.update(run.hostKey, {
        ...countersOf(decision),
        ...(partial ? { aborting: change.intent } : {}),
      });
    if (partial)
      reason +=
        '; the abort is written again every interval to the config clusters it did not reach';
    await this.record(
      run,
      { ...decision, reason },
      clusters,
      canary,
      historyId,
    );
  }

  private async record(
    run: CanaryRun,
    decision: CanaryDecision,
    clusters: ClusterCheck[] = [],
    canary?: AutoCanary,
    historyId?: number,
  ) {
    await this.store.canaries.addEvaluation({
      entityRef: run.entityRef,
      hostKey: run.hostKey,
      candidate: canary?.candidate ?? '',
      step: canary?.step ?? run.step,
      ...decision,
      clusters,
      ...(historyId ? { historyId } : {}),
    });
  }
}

/** The counters a judgement leaves a run with. */
function countersOf(j: CanaryJudgement) {
  return {
    failures: j.failures,
    inconclusive: j.inconclusive,
    errors: j.errors,
  };
}

/** The metric checks, or the metrics' error, with the readiness failures, which count even without metrics. */
function intervalOutcome(
  measured: ClusterCheck[] | { error: string },
  readiness: ClusterCheck[],
): { checks: ClusterCheck[] } | { error: string } {
  const checks = 'error' in measured ? undefined : measured;
  if (readiness.length)
    return { checks: withReadiness(checks ?? [], readiness) };
  return checks ? { checks } : (measured as { error: string });
}

/** What came of a change, in a line for an evaluation's reason. */
function describeOutcome(outcome: ApplyOutcome | { error: string }): string {
  if ('error' in outcome) return `refused: ${outcome.error}`;
  if (!outcome.valid)
    return `invalid: ${outcome.issues.map(i => i.path).join(', ')}`;
  return outcome.clusters
    .map(c => `${c.cluster}: ${c.outcome}${c.message ? ` (${c.message})` : ''}`)
    .join('; ');
}
