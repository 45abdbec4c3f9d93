import {
  DEFAULT_TRUST_DOMAIN,
  MeshTarget,
  ServicePort,
  VERSION_LABEL,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';

/**
 * The target as its mesh writes it: the label versions are told apart by (subsets and version
 * Services select on it), the app label, the routing API, the trust domain access rules' principals
 * carry and, for Gateway API, the Service's ports.
 */
export function labelledTarget(
  target: MeshTarget,
  mesh: MeshConfig,
  servicePorts?: ServicePort[],
): MeshTarget {
  const { app, version } = mesh.workloadLabels;
  return {
    ...target,
    ...(version !== VERSION_LABEL ? { versionLabel: version } : {}),
    ...(app !== 'app' ? { appLabel: app } : {}),
    ...(mesh.routingApi !== 'istio' ? { routingApi: mesh.routingApi } : {}),
    ...(mesh.trustDomain !== DEFAULT_TRUST_DOMAIN
      ? { trustDomain: mesh.trustDomain }
      : {}),
    ...(servicePorts ? { servicePorts } : {}),
  };
}
