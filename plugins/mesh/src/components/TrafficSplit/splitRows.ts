import {
  apportion,
  Destination,
  EntityMeshState,
  runningVersions,
  WorkloadVersion,
} from '@meshtraffic/backstage-plugin-mesh-common';

export type SplitMode = 'version' | 'cluster';

/** A row of the split: a version, or a version on one cluster. */
export interface SplitRow {
  version: string;
  cluster?: string;
}

export const rowLabel = (r: SplitRow) =>
  r.cluster ? `${r.version}@${r.cluster}` : r.version;

export const workloadsOf = (state: EntityMeshState): WorkloadVersion[] =>
  state.clusters.flatMap(c => c.workloads);

/** The rows of a mode: each running version, or each version on each cluster it runs on. */
export function rowsFor(
  mode: SplitMode,
  workloads: WorkloadVersion[],
): SplitRow[] {
  if (mode === 'version')
    return runningVersions(workloads).map(version => ({ version }));
  const seen = new Set<string>();
  return workloads
    .filter(w => {
      const key = `${w.version}@${w.cluster}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(w => ({ version: w.version, cluster: w.cluster }))
    .sort((a, b) => rowLabel(a).localeCompare(rowLabel(b)));
}

/** A split narrowed to a cluster anywhere is edited by version and cluster. */
export const modeOf = (split: Destination[]): SplitMode =>
  split.some(d => d.cluster) ? 'cluster' : 'version';

/**
 * The weight of each row from a split: exact where the split names the row; a version's weight
 * spread evenly over its clusters when the split names the version only (switching modes).
 */
export function weightsFor(rows: SplitRow[], split: Destination[]): number[] {
  const weights = rows.map(r =>
    split
      .filter(
        d =>
          d.version === r.version &&
          (r.cluster ? d.cluster === r.cluster : true),
      )
      .reduce((a, d) => a + d.weight, 0),
  );
  for (const d of split.filter(x => !x.cluster)) {
    const mine = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.cluster && r.version === d.version);
    if (!mine.length) continue;
    apportion(
      d.weight,
      mine.map(() => 1),
    ).forEach((w, k) => (weights[mine[k].i] = w));
  }
  return weights;
}

export const splitOf = (rows: SplitRow[], weights: number[]): Destination[] =>
  rows.map((r, i) => ({ ...r, weight: weights[i] })).filter(d => d.weight > 0);
