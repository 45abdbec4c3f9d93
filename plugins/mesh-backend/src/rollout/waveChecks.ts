import {
  RolloutCheck,
  RolloutEvaluation,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { clustersRunning, judgeVersionOn } from '../analysis/judgeVersion';
import { Rollout } from '../database/RolloutStore';
import { LiveStateReader } from '../read/LiveStateReader';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import { asAnalysis, judgedVersions, rolloutVerdict } from './rolloutWaves';

/** The clusters of the waves done so far. */
export const doneClusters = (r: Rollout) =>
  r.waves.filter(w => w.status === 'done').flatMap(w => w.clusters);

/** The checks on the clusters done so far, or the bake alone when the rollout has none. */
export async function evaluateWave(
  r: Rollout,
  now: number,
  state: Pick<LiveStateReader, 'read'>,
  metrics: Pick<MeshMetrics, 'candidate'>,
): Promise<RolloutEvaluation> {
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
    const checks = await waveChecks(r, state, metrics);
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

/** Each judged version on the clusters done so far where it runs, the versions judged in parallel. */
async function waveChecks(
  r: Rollout,
  state: Pick<LiveStateReader, 'read'>,
  metrics: Pick<MeshMetrics, 'candidate'>,
): Promise<RolloutCheck[]> {
  const live = await state.read(r.target);
  const done = new Set(doneClusters(r));
  const analysis = asAnalysis(r.checks!, r.bakeMs / 1000);
  const perVersion = await Promise.all(
    judgedVersions(r.intentAfter, r.intentBefore).map(async version => {
      const checks = await judgeVersionOn(metrics, {
        live,
        target: r.target,
        version,
        clusters: clustersRunning(live, version).filter(c => done.has(c)),
        window: `${Math.max(5, Math.round(r.bakeMs / 1000))}s`,
        analysis,
      });
      return checks.map(check => ({ version, ...check }));
    }),
  );
  return perVersion.flat();
}
