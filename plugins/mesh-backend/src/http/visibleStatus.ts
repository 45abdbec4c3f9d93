import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MeshStatus } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The mesh status as this caller may see it: a routed service's row names its catalog entity and
 * who changed it last, so it is shown only to who may read that entity in the catalog (asked of
 * the catalog with the caller's credentials, one request for every row).
 */
export async function visibleStatus(
  status: MeshStatus,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<MeshStatus> {
  if (!status.services.length) return status;
  const { items } = await catalog.getEntitiesByRefs(
    {
      entityRefs: status.services.map(s => s.entityRef),
      fields: ['kind', 'metadata.name'],
    },
    { credentials },
  );
  return {
    ...status,
    services: status.services.filter((_, i) => Boolean(items[i])),
  };
}
