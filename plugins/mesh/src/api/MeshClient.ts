import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  Expires,
  MeshApiClient,
  RolloutAction,
  RolloutRequest,
  TrafficIntent,
  WorkloadRef,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshApi } from './MeshApi';

/**
 * The default {@link MeshApi}: mesh-common's client over the portal's discovery and authenticated fetch.
 *
 * @public
 */
export class MeshClient implements MeshApi {
  private readonly client: MeshApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new MeshApiClient({
      baseUrl: () => deps.discoveryApi.getBaseUrl('mesh'),
      fetch: (url, init) => deps.fetchApi.fetch(url, init),
    });
  }

  getClusters() {
    return this.client.getClusters();
  }

  getState(entity: CompoundEntityRef) {
    return this.client.getState(entity);
  }

  plan(
    entity: CompoundEntityRef,
    intent: TrafficIntent,
    options: { adopt?: boolean; expires?: Expires } = {},
  ) {
    return this.client.plan(entity, {
      intent,
      ...(options.adopt ? { adopt: true } : {}),
      ...(options.expires ? { expires: options.expires } : {}),
    });
  }

  apply(
    entity: CompoundEntityRef,
    request: {
      intent: TrafficIntent;
      expires?: Expires;
      revision: string;
      adopt?: boolean;
      rollout?: RolloutRequest;
      confirmDenied?: string[];
    },
  ) {
    return this.client.apply(entity, request);
  }

  getHistory(entity: CompoundEntityRef) {
    return this.client.getHistory(entity);
  }

  rollback(
    entity: CompoundEntityRef,
    request: { to: number; revision: string },
  ) {
    return this.client.rollback(entity, request);
  }

  getMeshStatus(mesh: string) {
    return this.client.getMeshStatus(mesh);
  }

  getServiceAccounts(mesh: string, workloads: WorkloadRef[]) {
    return this.client.getServiceAccounts(mesh, workloads);
  }

  getServiceGraph(entity: CompoundEntityRef, window: string) {
    return this.client.getServiceGraph(entity, window);
  }

  getMetrics(entity: CompoundEntityRef, window: string) {
    return this.client.getMetrics(entity, window);
  }

  getCanaryAnalysis(entity: CompoundEntityRef, page?: { before?: number }) {
    return this.client.getCanaryAnalysis(entity, page);
  }

  rolloutAction(entity: CompoundEntityRef, action: RolloutAction) {
    return this.client.rolloutAction(entity, action);
  }

  removeRouting(entity: CompoundEntityRef, revision: string) {
    return this.client.removeRouting(entity, revision);
  }
}
