import { MeshTarget } from '@meshtraffic/backstage-plugin-mesh-common';

/** A host's key in the plugin's tables: `mesh/namespace/service`. */
export const hostKey = (
  t: Pick<MeshTarget, 'mesh' | 'namespace' | 'service'>,
) => `${t.mesh}/${t.namespace}/${t.service}`;
