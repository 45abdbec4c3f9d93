import type { RolloutAction, RolloutState } from './rollout';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { IntentIssue } from '../intent/validate';
import {
  ApplyRequest,
  ApplyResponse,
  ClustersResponse,
  EntityMeshState,
  HistoryEntry,
  HostTraffic,
  ServiceGraph,
  CanaryAnalysisState,
  MeshStatus,
  PlanRequest,
  PlanResponse,
  RollbackRequest,
  ServiceAccountsResponse,
  WorkloadRef,
} from './types';

/**
 * An intent the backend refused (400): every problem with its field path. An answer, not an error.
 *
 * @public
 */
export type InvalidIntent = { valid: false; issues: IntentIssue[] };

/**
 * How the client reaches the mesh backend: the browser's authenticated fetch, or a backend's with a token.
 *
 * @public
 */
export interface MeshApiTransport {
  /** The mesh backend's base URL (`discovery.getBaseUrl('mesh')`). */
  baseUrl(): Promise<string>;
  fetch(url: string, init: RequestInit): Promise<Response>;
}

/**
 * `/api/mesh`, the one client: the Mesh tab and the scaffolder's actions both call through it,
 * so a 400 carrying `issues` is an answer and every other failure a ResponseError, once.
 *
 * @public
 */
export class MeshApiClient {
  constructor(private readonly transport: MeshApiTransport) {}

  getClusters(): Promise<ClustersResponse> {
    return this.call('GET', '/clusters');
  }

  getState(entity: CompoundEntityRef): Promise<EntityMeshState> {
    return this.call('GET', entityPath(entity));
  }

  plan(entity: CompoundEntityRef, request: PlanRequest): Promise<PlanResponse> {
    return this.call('POST', `${entityPath(entity)}/plan`, request, true);
  }

  apply(
    entity: CompoundEntityRef,
    request: ApplyRequest,
  ): Promise<ApplyResponse | InvalidIntent> {
    return this.call('POST', `${entityPath(entity)}/apply`, request, true);
  }

  async getHistory(entity: CompoundEntityRef): Promise<HistoryEntry[]> {
    return (
      await this.call<{ items: HistoryEntry[] }>(
        'GET',
        `${entityPath(entity)}/history`,
      )
    ).items;
  }

  rollback(
    entity: CompoundEntityRef,
    request: RollbackRequest,
  ): Promise<ApplyResponse | InvalidIntent> {
    return this.call('POST', `${entityPath(entity)}/rollback`, request, true);
  }

  /** The host's live traffic over a window (e.g. 5m), from its mesh's Prometheus. */
  getMetrics(entity: CompoundEntityRef, window = '5m'): Promise<HostTraffic> {
    return this.call(
      'GET',
      `${entityPath(entity)}/metrics?window=${encodeURIComponent(window)}`,
    );
  }

  /** Who calls the service and whom it calls over a window (e.g. 5m), per cluster and version. */
  getServiceGraph(
    entity: CompoundEntityRef,
    window = '5m',
  ): Promise<ServiceGraph> {
    return this.call(
      'GET',
      `${entityPath(entity)}/graph?window=${encodeURIComponent(window)}`,
    );
  }

  /** Who each of a mesh's services runs as (its pods' service accounts), read from the clusters. */
  getServiceAccounts(
    mesh: string,
    workloads: WorkloadRef[],
  ): Promise<ServiceAccountsResponse> {
    const query = workloads
      .map(w => `workload=${encodeURIComponent(`${w.namespace}/${w.service}`)}`)
      .join('&');
    return this.call(
      'GET',
      `/meshes/${encodeURIComponent(mesh)}/service-accounts?${query}`,
    );
  }

  /** A mesh's clusters, control planes, proxies and the services the portal routes. */
  getMeshStatus(mesh: string): Promise<MeshStatus> {
    return this.call('GET', `/meshes/${encodeURIComponent(mesh)}/status`);
  }

  /** The automatic canary the analysis follows, and its evaluations, newest first. */
  /** The canary analysis, its newest evaluations first; `before` pages back from an evaluation's id. */
  getCanaryAnalysis(
    entity: CompoundEntityRef,
    page: { before?: number } = {},
  ): Promise<CanaryAnalysisState> {
    const query = page.before !== undefined ? `?before=${page.before}` : '';
    return this.call('GET', `${entityPath(entity)}/canary${query}`);
  }

  /** Pauses, resumes, finishes now or rolls back the host's rollout in progress; answers its state after. */
  rolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
  ): Promise<RolloutState> {
    return this.call('POST', `${entityPath(entity)}/rollout`, { action });
  }

  /** Removes the entity's routing objects from every config cluster, against the revision the caller saw. */
  removeRouting(
    entity: CompoundEntityRef,
    revision: string,
  ): Promise<ApplyResponse> {
    return this.call(
      'DELETE',
      `${entityPath(entity)}/intent?revision=${encodeURIComponent(revision)}`,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    invalidIsAnswer = false,
  ): Promise<T> {
    const base = await this.transport.baseUrl();
    const response = await this.transport.fetch(`${base}${path}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 400 && invalidIsAnswer) {
      const payload = await response
        .clone()
        .text()
        .then(text => JSON.parse(text))
        .catch(() => undefined);
      if (Array.isArray(payload?.issues))
        return { valid: false, issues: payload.issues } as T;
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    // JSON.parse of the text rather than response.json(): the values then belong to the caller's
    // realm, which the scaffolder's templating insists on for arrays (fetch's differs under jest).
    return JSON.parse(await response.text()) as T;
  }
}

function entityPath(e: CompoundEntityRef) {
  return `/entities/${[e.kind.toLocaleLowerCase('en-US'), e.namespace, e.name]
    .map(encodeURIComponent)
    .join('/')}`;
}
