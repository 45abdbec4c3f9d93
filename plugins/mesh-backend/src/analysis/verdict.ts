import {
  analysisLimits,
  Canary,
  CanaryAnalysis,
  CanaryEvaluation,
  CheckVerdict,
  ClusterCheck,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { CandidateFigures } from '../telemetry/figures';

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** One cluster's checks: too few requests is inconclusive, never a pass. */
export function judgeCluster(
  figures: CandidateFigures,
  analysis: CanaryAnalysis,
): ClusterCheck {
  const requests = Math.round(figures.requests);
  const base = {
    cluster: figures.cluster,
    requests,
    ...(figures.successRate !== undefined
      ? { successRate: round(figures.successRate, 2) }
      : {}),
    ...(figures.latencyMs !== undefined
      ? { latencyMs: round(figures.latencyMs) }
      : {}),
  };
  if (requests < analysis.minRequests)
    return {
      ...base,
      verdict: 'inconclusive',
      reasons: [
        `${requests} requests to the candidate, fewer than the ${analysis.minRequests} an interval needs`,
      ],
    };
  const reasons: string[] = [];
  const min = analysis.successRateMin;
  if (min !== undefined && (figures.successRate ?? 0) < min)
    reasons.push(`success rate ${base.successRate ?? 0}% is below ${min}%`);
  const latency = analysis.latency;
  if (latency && (figures.latencyMs ?? Infinity) > latency.maxMs)
    reasons.push(
      `p${latency.percentile} latency ${
        base.latencyMs ?? 'unknown'
      } ms is above ${latency.maxMs} ms`,
    );
  return { ...base, verdict: reasons.length ? 'fail' : 'pass', reasons };
}

export type CanaryDecision = Pick<
  CanaryEvaluation,
  'verdict' | 'action' | 'failures' | 'reason'
>;

const describe = (checks: ClusterCheck[]) =>
  checks.map(c => `${c.cluster}: ${c.reasons.join('; ')}`).join(' · ');

/**
 * The canary's verdict from every cluster's: one failing cluster fails the interval, and the
 * failure limit aborts the canary everywhere; all passing advances it (promotes at the last step);
 * anything else waits for another interval.
 */
export function judgeCanary(
  checks: ClusterCheck[],
  canary: Canary & { analysis: CanaryAnalysis },
  failuresBefore: number,
): CanaryDecision {
  const failed = checks.filter(c => c.verdict === 'fail');
  if (failed.length) {
    const failures = failuresBefore + 1;
    const limit = canary.analysis.failureLimit;
    const abort = failures >= limit;
    return {
      verdict: 'fail',
      action: abort ? 'abort' : 'none',
      failures,
      reason: `${describe(failed)} (failed interval ${failures} of ${limit})${
        abort ? `: aborted, all traffic back to ${canary.baseline}` : ''
      }`,
    };
  }
  const waiting = checks.filter(c => c.verdict !== 'pass');
  if (!checks.length || waiting.length)
    return {
      verdict: 'inconclusive' as CheckVerdict,
      action: 'none',
      failures: failuresBefore,
      reason: checks.length
        ? `${describe(waiting)}: judged again next interval`
        : `${canary.candidate} runs on no cluster of the mesh`,
    };
  const last = canary.step >= canary.steps.length;
  return {
    verdict: 'pass',
    action: last ? 'promote' : 'advance',
    failures: failuresBefore,
    reason: `every cluster passed (${checks
      .map(c => `${c.cluster}: ${c.requests} requests`)
      .join(', ')}): ${
      last
        ? `promoted, all traffic to ${canary.candidate}`
        : `step ${canary.step + 1} of ${canary.steps.length}, ${
            canary.steps[canary.step]
          }% to ${canary.candidate}`
    }`,
  };
}

/** What a run has counted so far, and when its step started. */
export interface RunCounters {
  failures: number;
  inconclusive: number;
  errors: number;
  stepSince: number;
}

/** A decision with the counters it leaves the run with. */
export type CanaryJudgement = CanaryDecision & {
  inconclusive: number;
  errors: number;
};

const abortTo = (canary: Canary) =>
  `aborted, all traffic back to ${canary.baseline}`;

const seconds = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;

/**
 * One interval of an automatic canary, judged with the limits that keep automation safe when it
 * cannot see: metrics that cannot be read count toward `errorLimit`, intervals that cannot be
 * judged toward `inconclusiveLimit` (both in a row), and a step that has not passed within its
 * `progressDeadline` is aborted. Failed checks count toward `failureLimit` as before.
 */
export function judgeInterval(
  outcome: { checks: ClusterCheck[] } | { error: string },
  canary: Canary & { analysis: CanaryAnalysis },
  counters: RunCounters,
  now: number,
): CanaryJudgement {
  const limits = analysisLimits(canary.analysis);
  let judgement: CanaryJudgement;
  if ('error' in outcome) {
    const errors = counters.errors + 1;
    const abort = errors >= limits.errorLimit;
    judgement = {
      verdict: 'inconclusive',
      action: abort ? 'abort' : 'none',
      failures: counters.failures,
      inconclusive: counters.inconclusive,
      errors,
      reason: `no figures: ${outcome.error} (interval ${errors} of ${
        limits.errorLimit
      } in a row without metrics)${abort ? `: ${abortTo(canary)}` : ''}`,
    };
  } else {
    const decision = judgeCanary(outcome.checks, canary, counters.failures);
    const inconclusive =
      decision.verdict === 'inconclusive' ? counters.inconclusive + 1 : 0;
    const abort =
      decision.action === 'none' && inconclusive >= limits.inconclusiveLimit;
    judgement = {
      ...decision,
      inconclusive,
      errors: 0,
      ...(abort
        ? {
            action: 'abort' as const,
            reason: `${
              decision.reason
            }; ${inconclusive} intervals in a row could not be judged (inconclusiveLimit ${
              limits.inconclusiveLimit
            }): ${abortTo(canary)}`,
          }
        : {}),
    };
  }
  if (
    judgement.action === 'none' &&
    now - counters.stepSince >= limits.progressDeadlineMs
  )
    return {
      ...judgement,
      action: 'abort',
      reason: `${judgement.reason}; step ${
        canary.step
      } has not passed within its progress deadline (${seconds(
        limits.progressDeadlineMs,
      )}): ${abortTo(canary)}`,
    };
  return judgement;
}
