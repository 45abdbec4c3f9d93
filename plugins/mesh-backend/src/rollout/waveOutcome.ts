import {
  ApplyResponse,
  ClusterApplyResult,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ApplyOutcome } from '../apply/MeshApplier';

export type WaveOutcome =
  | { ok: true; historyId: number }
  | { ok: false; why: string };

/** What came of one wave's (or an undo's) apply, as a sentence when it did not land. */
export function waveOutcome(
  answer: ApplyOutcome | ApplyResponse | { error: string },
): WaveOutcome {
  if ('error' in answer) return { ok: false, why: answer.error };
  // A removal answers without `valid`: it has no intent to be invalid.
  const outcome: ApplyOutcome =
    'valid' in answer ? answer : { valid: true, ...answer };
  if (!outcome.valid)
    return {
      ok: false,
      why: outcome.issues.map(i => `${i.path} ${i.message}`).join('; '),
    };
  if (!outcome.ok)
    return {
      ok: false,
      why: `history #${outcome.historyId}: ${describeClusters(
        outcome.clusters,
      )}`,
    };
  return { ok: true, historyId: outcome.historyId };
}

/** A cluster's outcome landed: written, or already as wanted. */
export const landed = (c: ClusterApplyResult) =>
  c.outcome === 'applied' || c.outcome === 'unchanged';

/** Each cluster's outcome, in a few words: `east interrupted (timed out), west applied`. */
export function describeClusters(clusters: ClusterApplyResult[]): string {
  return clusters
    .map(c => `${c.cluster} ${c.outcome}${c.message ? ` (${c.message})` : ''}`)
    .join(', ');
}
