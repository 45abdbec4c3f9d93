import { createApiRef } from '@backstage/core-plugin-api';
import { ClustersResponse } from '@meshtraffic/backstage-plugin-mesh-common';

/** The mesh backend, as the frontend talks to it. */
export interface MeshApi {
  getClusters(): Promise<ClustersResponse>;
}

export const meshApiRef = createApiRef<MeshApi>({ id: 'plugin.mesh.api' });
