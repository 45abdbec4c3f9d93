import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ApplyResponse,
  ClusterPlan,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** Where the Mesh tab of an entity is in the portal. */
export function meshTabUrl(appBaseUrl: string, ref: CompoundEntityRef): string {
  return `${appBaseUrl.replace(/\/$/, '')}/catalog/${
    ref.namespace
  }/${ref.kind.toLowerCase()}/${ref.name}/mesh`;
}

/** A plan, a line per object per cluster, as the task output shows it. */
export function planSummary(clusters: ClusterPlan[]): string {
  return clusters
    .map(c => {
      const verdict = c.dryRun.ok
        ? 'dry run passed'
        : `dry run refused: ${c.dryRun.message}`;
      const changes = c.changes
        .map(x => `  - ${x.kind} ${x.name}: ${x.action}`)
        .join('\n');
      const foreign = c.foreign
        .map(
          f => `  - foreign ${f.kind} ${f.name} (${f.owner}) routes this host`,
        )
        .join('\n');
      return [`- ${c.cluster}: ${verdict}`, changes, foreign]
        .filter(Boolean)
        .join('\n');
    })
    .join('\n');
}

export function applySummary(result: ApplyResponse): string {
  let head = result.ok
    ? 'Applied.'
    : 'Not applied; the clusters already changed were put back.';
  if (result.ok && result.rolloutId)
    head = `Wave 1 applied (rollout #${result.rolloutId}); the next waves follow after each bake, as the Mesh tab shows.`;
  return [
    head,
    ...result.clusters.map(
      c => `- ${c.cluster}: ${c.outcome}${c.message ? ` (${c.message})` : ''}`,
    ),
  ].join('\n');
}
