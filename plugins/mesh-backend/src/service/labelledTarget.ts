import {
  MeshTarget,
  VERSION_LABEL,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';

/** The target with the label its mesh tells versions apart by, so subsets select on it. */
export function labelledTarget(
  target: MeshTarget,
  mesh: MeshConfig,
): MeshTarget {
  const versionLabel = mesh.workloadLabels.version;
  return versionLabel === VERSION_LABEL ? target : { ...target, versionLabel };
}
