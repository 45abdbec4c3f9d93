import {
  RolloutCheck,
  RolloutEvaluation,
  serviceHost,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { judgeCluster } from '../analysis/verdict';
import { Rollout } from '../database/RolloutStore';
import { MeshStateService } from '../service/MeshStateService';
import { MeshMetrics } from '../telemetry/MeshMetrics';
import { asAnalysis, judgedVersions, rolloutVerdict } from './rolloutWaves';

/** The clusters of the waves done so far. */
export const doneClusters = (r: Rollout) =>
  r.waves.filter(w => w.status === 'done').flatMap(w => w.clusters);

/** The checks on the clusters done so far, or the bake alone when the rollout has none. */
export async function evaluateWave(
  r: Rollout,
  now: number,
  state: Pick<MeshStateService, 'read'>,
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

async function waveChecks(
  r: Rollout,
  state: Pick<MeshStateService, 'read'>,
  metrics: Pick<MeshMetrics, 'candidate'>,
): Promise<RolloutCheck[]> {
  const live = await state.read(r.target);
  const done = new Set(doneClusters(r));
  const analysis = asAnalysis(r.checks!, r.bakeMs / 1000);
  const out: RolloutCheck[] = [];
  for (const version of judgedVersions(r.intentAfter, r.intentBefore)) {
    const figures = await metrics.candidate(
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
