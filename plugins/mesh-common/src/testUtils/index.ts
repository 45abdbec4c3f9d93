/**
 * Fixtures for tests of the mesh plugins' clients (the Mesh tab, the scaffolder actions): answers
 * of `/api/mesh` as the backend gives them.
 *
 * @packageDocumentation
 */
// The package's own name: API Extractor then reads these as the main entry point's, not this one's.
import type {
  PlanResponse,
  PlannedObjectChange,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * A valid plan for the given config clusters, each with the same changes (by default the reviews
 * VirtualService updated) and a passed dry run.
 *
 * @public
 */
export function planFor(
  clusters: string[] = ['east', 'west'],
  changes: PlannedObjectChange[] = [
    { kind: 'VirtualService', name: 'reviews', action: 'update', diff: '' },
  ],
): Extract<PlanResponse, { valid: true }> {
  return {
    valid: true,
    revision: 'rev-1',
    needsAdoption: false,
    adopt: false,
    clusters: clusters.map(cluster => ({
      cluster,
      dryRun: { ok: true },
      foreign: [],
      drifted: [],
      kept: [],
      changes,
    })),
  };
}
