import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ApplyRequest,
  ApplyResponse,
  EntityMeshState,
  InvalidIntent,
  MeshApiClient,
  PlanRequest,
  PlanResponse,
} from '@meshtraffic/backstage-plugin-mesh-common';

export type { InvalidIntent };

/**
 * The mesh backend's REST API, called on behalf of the template's user through mesh-common's
 * client: the same validation, permission checks and history as a change made from the Mesh tab.
 * Credentials for the clusters stay in the mesh backend; this holds none.
 *
 * @public
 */
export class MeshBackendClient {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  getState(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
  ): Promise<EntityMeshState> {
    return this.onBehalfOf(credentials).getState(entity);
  }

  plan(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
    request: PlanRequest,
  ): Promise<PlanResponse> {
    return this.onBehalfOf(credentials).plan(entity, request);
  }

  apply(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
    request: ApplyRequest,
  ): Promise<ApplyResponse | InvalidIntent> {
    return this.onBehalfOf(credentials).apply(entity, request);
  }

  /** A client whose every request carries a token for the mesh backend on behalf of the user. */
  private onBehalfOf(credentials: BackstageCredentials): MeshApiClient {
    return new MeshApiClient({
      baseUrl: () => this.deps.discovery.getBaseUrl('mesh'),
      fetch: async (url, init) => {
        const { token } = await this.deps.auth.getPluginRequestToken({
          onBehalfOf: credentials,
          targetPluginId: 'mesh',
        });
        return fetch(url, {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            Authorization: `Bearer ${token}`,
          },
        });
      },
    });
  }
}
