import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ClustersResponse } from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshApi } from './MeshApi';

/** The default {@link MeshApi}: `/api/mesh` through the portal's discovery and authenticated fetch. */
export class MeshClient implements MeshApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  async getClusters(): Promise<ClustersResponse> {
    return this.get('/clusters');
  }

  private async get<T>(path: string): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('mesh');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
