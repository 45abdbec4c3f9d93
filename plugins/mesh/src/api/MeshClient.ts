import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApplyResponse,
  ClustersResponse,
  EntityMeshState,
  HistoryEntry,
  PlanResponse,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { InvalidIntent, MeshApi } from './MeshApi';

/** The default {@link MeshApi}: `/api/mesh` through the portal's discovery and authenticated fetch. */
export class MeshClient implements MeshApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getClusters(): Promise<ClustersResponse> {
    return this.call('GET', '/clusters');
  }

  getState(entity: CompoundEntityRef): Promise<EntityMeshState> {
    return this.call('GET', this.entityPath(entity));
  }

  plan(
    entity: CompoundEntityRef,
    intent: TrafficIntent,
    options: { adopt?: boolean } = {},
  ): Promise<PlanResponse> {
    return this.call(
      'POST',
      `${this.entityPath(entity)}/plan`,
      { intent, ...(options.adopt ? { adopt: true } : {}) },
      true,
    );
  }

  apply(
    entity: CompoundEntityRef,
    request: { intent: TrafficIntent; revision: string; adopt?: boolean },
  ) {
    return this.call<ApplyResponse | InvalidIntent>(
      'POST',
      `${this.entityPath(entity)}/apply`,
      request,
      true,
    );
  }

  async getHistory(entity: CompoundEntityRef): Promise<HistoryEntry[]> {
    return (
      await this.call<{ items: HistoryEntry[] }>(
        'GET',
        `${this.entityPath(entity)}/history`,
      )
    ).items;
  }

  rollback(
    entity: CompoundEntityRef,
    request: { to: number; revision: string },
  ) {
    return this.call<ApplyResponse | InvalidIntent>(
      'POST',
      `${this.entityPath(entity)}/rollback`,
      request,
      true,
    );
  }

  removeRouting(entity: CompoundEntityRef, revision: string) {
    return this.call<ApplyResponse>(
      'DELETE',
      `${this.entityPath(entity)}/intent?revision=${encodeURIComponent(
        revision,
      )}`,
    );
  }

  private entityPath(e: CompoundEntityRef) {
    return `/entities/${encodeURIComponent(
      e.kind.toLocaleLowerCase('en-US'),
    )}/${encodeURIComponent(e.namespace)}/${encodeURIComponent(e.name)}`;
  }

  /** One request; with `invalidIsAnswer`, a 400 carrying `issues` is returned as `{ valid: false, issues }`. */
  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    invalidIsAnswer = false,
  ): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('mesh');
    const response = await this.deps.fetchApi.fetch(`${base}${path}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 400 && invalidIsAnswer) {
      const data = await response
        .clone()
        .json()
        .catch(() => undefined);
      if (Array.isArray(data?.issues))
        return { valid: false, issues: data.issues } as T;
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
