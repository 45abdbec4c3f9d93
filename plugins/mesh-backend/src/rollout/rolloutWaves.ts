import { InputError } from '@backstage/errors';
import {
  RolloutCheck,
  RolloutChecks,
  RolloutRequest,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';

/**
 * The waves checked against the mesh: every config cluster in exactly one wave, nothing else.
 * Refuses with the path of the first bad entry.
 */
export function checkedWaves(
  mesh: MeshConfig,
  rollout: RolloutRequest,
): string[][] {
  const config = mesh.placement.configClusters;
  const seen = new Set<string>();
  rollout.waves.forEach((wave, i) =>
    wave.forEach((cluster, j) => {
      const at = `rollout.waves[${i}][${j}]`;
      if (!config.includes(cluster))
        throw new InputError(
          `${at}: ${cluster} is not a config cluster of mesh ${
            mesh.id
          } (${config.join(', ')})`,
        );
      if (seen.has(cluster))
        throw new InputError(`${at}: ${cluster} is in more than one wave`);
      seen.add(cluster);
    }),
  );
  const missing = config.filter(c => !seen.has(c));
  if (missing.length)
    throw new InputError(
      `rollout.waves: every config cluster must be in a wave; ${missing.join(
        ', ',
      )} is in none`,
    );
  if (rollout.checks && rollout.bakeSeconds < 5)
    throw new InputError(
      'rollout.bakeSeconds: checks read the bake time, which must be at least 5 seconds',
    );
  return rollout.waves;
}

const weights = (intent: TrafficIntent | undefined) => {
  const out = new Map<string, number>();
  for (const d of intent?.split ?? [])
    out.set(d.version, (out.get(d.version) ?? 0) + d.weight);
  return out;
};

/**
 * The versions the checks judge: a canary's candidate; otherwise the versions the change sends
 * more of the default route to than before (its new traffic), or every routed version when none.
 */
export function judgedVersions(
  after: TrafficIntent,
  before: TrafficIntent | undefined,
): string[] {
  if (after.canary) return [after.canary.candidate];
  const now = weights(after);
  const was = weights(before);
  const routed = [...now].filter(([, w]) => w > 0).map(([v]) => v);
  const gained = routed.filter(v => (now.get(v) ?? 0) > (was.get(v) ?? 0));
  return (gained.length ? gained : routed).sort();
}

/** The verdict of a wave's checks: any failure fails, anything not passing waits another bake. */
export function rolloutVerdict(checks: RolloutCheck[]) {
  const describe = (list: RolloutCheck[]) =>
    list
      .map(c => `${c.version} on ${c.cluster}: ${c.reasons.join('; ')}`)
      .join(' · ');
  const failed = checks.filter(c => c.verdict === 'fail');
  if (failed.length)
    return { verdict: 'fail' as const, reason: describe(failed) };
  const waiting = checks.filter(c => c.verdict !== 'pass');
  if (!checks.length || waiting.length)
    return {
      verdict: 'inconclusive' as const,
      reason: checks.length
        ? `${describe(waiting)}: judged again after another bake`
        : 'no judged version runs on the clusters done so far',
    };
  return {
    verdict: 'pass' as const,
    reason: `every check passed (${checks
      .map(c => `${c.version} on ${c.cluster}: ${c.requests} requests`)
      .join(', ')})`,
  };
}

/** The checks as the canary analysis' verdicts take them. */
export const asAnalysis = (checks: RolloutChecks, bakeSeconds: number) => ({
  ...checks,
  interval: `${bakeSeconds}s`,
  failureLimit: 1,
});
