import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MESH_ID_ANNOTATION,
  MeshTarget,
  readMeshTarget,
  sameHost,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** Which catalog entities name a host in their annotations. */
export interface HostClaims {
  /** Entities other than the target's own whose annotations name the same host. */
  otherClaimants(target: MeshTarget): Promise<string[]>;
}

/**
 * Reads claims from the catalog with the plugin's own credentials: a caller who may not see the
 * other entity must still be refused its host.
 */
export class CatalogHostClaims implements HostClaims {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async otherClaimants(target: MeshTarget): Promise<string[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const { items } = await this.catalog.getEntities(
      {
        filter: { [`metadata.annotations.${MESH_ID_ANNOTATION}`]: target.mesh },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    return items
      .map(entity => readMeshTarget(entity))
      .filter((t): t is MeshTarget =>
        Boolean(t && sameHost(t, target) && t.entityRef !== target.entityRef),
      )
      .map(t => t.entityRef)
      .sort();
  }
}
