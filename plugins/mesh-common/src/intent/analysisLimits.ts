import { CanaryAnalysis } from './schema';
import { durationToMillis } from './duration';

/**
 * What an analysis that does not set them gets: defaults a person would expect, as Argo Rollouts' and Flagger's.
 *
 * @public
 */
export const ANALYSIS_DEFAULTS = {
  inconclusiveLimit: 10,
  errorLimit: 4,
  progressDeadlineIntervals: 20,
};

/**
 * An analysis' limits, its defaults filled in.
 *
 * @public
 */
export function analysisLimits(analysis: CanaryAnalysis): {
  inconclusiveLimit: number;
  errorLimit: number;
  progressDeadlineMs: number;
} {
  const intervalMs = durationToMillis(analysis.interval) ?? 0;
  return {
    inconclusiveLimit:
      analysis.inconclusiveLimit ?? ANALYSIS_DEFAULTS.inconclusiveLimit,
    errorLimit: analysis.errorLimit ?? ANALYSIS_DEFAULTS.errorLimit,
    progressDeadlineMs:
      (analysis.progressDeadline !== undefined
        ? durationToMillis(analysis.progressDeadline)
        : undefined) ??
      intervalMs * ANALYSIS_DEFAULTS.progressDeadlineIntervals,
  };
}
