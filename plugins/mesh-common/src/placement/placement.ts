import { WorkloadVersion } from '../intent/workloads';
import { MeshTopology } from './topology';

/** @public */
export type MeshKind =
  | 'multi-primary'
  | 'primary-remote'
  | 'single-primary'
  | 'external-control-plane'
  | 'mixed';

/** @public */
export interface Placement {
  kind: MeshKind;
  /** Where routing config must be written for it to take effect, in topology order. */
  configClusters: string[];
  /** Where the service's workloads run (any role), sorted. */
  workloadClusters: string[];
}

/** @public */
export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacementError';
  }
}

/** @public */
export function meshKind(mesh: MeshTopology): MeshKind {
  const count = (role: string) =>
    mesh.clusters.filter(c => c.role === role).length;
  if (count('config'))
    return count('primary') ? 'mixed' : 'external-control-plane';
  if (count('primary') > 1) return 'multi-primary';
  return count('remote') ? 'primary-remote' : 'single-primary';
}

/**
 * Which clusters receive a service's routing config. Each primary's istiod reads only its own API
 * server, so every primary needs the config (in multi-primary and in primary-remote alike); an
 * external control plane reads its config cluster; a remote reads nothing of its own.
 *
 * @public
 */
export function placeConfig(
  mesh: MeshTopology,
  workloads: WorkloadVersion[] = [],
): Placement {
  const configClusters = mesh.clusters
    .filter(c => c.role === 'primary' || c.role === 'config')
    .map(c => c.name);
  if (configClusters.length === 0) {
    throw new PlacementError(
      `mesh ${mesh.id} has no cluster that holds routing config: mark at least one cluster as role "primary" or "config"`,
    );
  }
  const known = new Set(mesh.clusters.map(c => c.name));
  const workloadClusters = [...new Set(workloads.map(w => w.cluster))]
    .filter(c => known.has(c))
    .sort();
  return { kind: meshKind(mesh), configClusters, workloadClusters };
}
