import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  Expires,
  ApplyResponse,
  CanaryAnalysisState,
  ClustersResponse,
  EntityMeshState,
  HistoryEntry,
  HostTraffic,
  MeshStatus,
  InvalidIntent,
  PlanResponse,
  RolloutAction,
  RolloutRequest,
  RolloutState,
  ServiceAccountsResponse,
  ServiceGraph,
  WorkloadRef,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';

export type { InvalidIntent };

/**
 * The mesh backend, as the frontend talks to it.
 *
 * @public
 */
export interface MeshApi {
  getClusters(): Promise<ClustersResponse>;
  getState(entity: CompoundEntityRef): Promise<EntityMeshState>;
  /** With `adopt`, the plan includes the take-over of foreign routing: what it rewrites and deletes. */
  plan(
    entity: CompoundEntityRef,
    intent: TrafficIntent,
    options?: { adopt?: boolean; expires?: Expires },
  ): Promise<PlanResponse>;
  apply(
    entity: CompoundEntityRef,
    request: {
      intent: TrafficIntent;
      /** When risky parts of the intent end by themselves. */
      expires?: Expires;
      revision: string;
      adopt?: boolean;
      rollout?: RolloutRequest;
      /** The callers a new access part turns away, named to confirm it (`*` when unseen). */
      confirmDenied?: string[];
    },
  ): Promise<ApplyResponse | InvalidIntent>;
  getHistory(entity: CompoundEntityRef): Promise<HistoryEntry[]>;
  rollback(
    entity: CompoundEntityRef,
    request: { to: number; revision: string },
  ): Promise<ApplyResponse | InvalidIntent>;
  /** A mesh's clusters, control planes, proxies and routed services. */
  getMeshStatus(mesh: string): Promise<MeshStatus>;
  /** Who each of a mesh's services runs as, read from its clusters. */
  getServiceAccounts(
    mesh: string,
    workloads: WorkloadRef[],
  ): Promise<ServiceAccountsResponse>;
  /** Who calls the service and whom it calls over a window such as 5m, from the mesh's Prometheus. */
  getServiceGraph(
    entity: CompoundEntityRef,
    window: string,
  ): Promise<ServiceGraph>;
  /** Live traffic from the mesh's Prometheus over a window such as 5m. */
  getMetrics(entity: CompoundEntityRef, window: string): Promise<HostTraffic>;
  /** The automatic canary the analysis follows, and its evaluations. */
  getCanaryAnalysis(
    entity: CompoundEntityRef,
    page?: { before?: number },
  ): Promise<CanaryAnalysisState>;
  /** Pauses, resumes, finishes now or rolls back the host's rollout in progress. */
  rolloutAction(
    entity: CompoundEntityRef,
    action: RolloutAction,
  ): Promise<RolloutState>;
  /** Removes this entity's routing objects from every config cluster, against the revision the user saw. */
  removeRouting(
    entity: CompoundEntityRef,
    revision: string,
  ): Promise<ApplyResponse>;
}

/** @public */
export const meshApiRef = createApiRef<MeshApi>({ id: 'plugin.mesh.api' });
