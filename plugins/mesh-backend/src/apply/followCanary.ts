import {
  durationToMillis,
  MeshTarget,
  RolloutRequest,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { hostKey } from '../database/MeshStore';
import { CanaryStore } from '../database/CanaryStore';

/** The actor of the changes the analysis makes; history names the user it acts for beside it. */
export const ANALYSIS_ACTOR = 'plugin:mesh/canary-analysis';

const canaryIdOf = (canary: NonNullable<TrafficIntent['canary']>) =>
  `${canary.baseline}>${canary.candidate}:${canary.steps.join(',')}`;

/**
 * After a change landed: follow the automatic canary it leaves (its step judged one interval from
 * now), or stop following when it leaves none. The same canary keeps its starter and its failed
 * intervals across steps; a new one starts afresh, for the person who started it.
 */
export async function followCanary(
  canaries: CanaryStore,
  target: MeshTarget,
  intent: TrafficIntent | undefined,
  actor: string,
  now = Date.now(),
  /** The waves the change was rolled out in: the canary's next steps go the same way. */
  rollout?: RolloutRequest,
): Promise<void> {
  const key = hostKey(target);
  const canary = intent?.canary;
  if (!canary?.auto || !canary.analysis) {
    await canaries.remove(key);
    return;
  }
  const before = await canaries.run(key);
  const canaryId = canaryIdOf(canary);
  const same = before?.canaryId === canaryId;
  // A change that left the canary where it was (another part of the intent changed, or an expiry
  // ended one) carries its run on as it was: counts, next judgement, waves.
  const sameStep = same && before!.step === canary.step;
  const intervalMs = durationToMillis(canary.analysis.interval)!;
  await canaries.save({
    hostKey: key,
    entityRef: target.entityRef,
    target,
    canaryId,
    startedBy:
      same || actor === ANALYSIS_ACTOR ? before?.startedBy ?? actor : actor,
    step: canary.step,
    failures: same ? before!.failures : 0,
    // Both limits count intervals in a row, and the deadline runs per step.
    inconclusive: sameStep ? before!.inconclusive : 0,
    errors: sameStep ? before!.errors : 0,
    stepSince: sameStep ? before!.stepSince : now,
    // What an abort starts from when the clusters come to disagree.
    intent: intent!,
    intervalMs,
    nextAt: sameStep ? before!.nextAt : now + intervalMs,
    ...(rollout ?? (sameStep ? before!.rollout : undefined)
      ? { rollout: rollout ?? before!.rollout }
      : {}),
  });
}
