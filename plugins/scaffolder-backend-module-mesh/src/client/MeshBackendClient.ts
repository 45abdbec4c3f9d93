import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  ApplyRequest,
  ApplyResponse,
  EntityMeshState,
  IntentIssue,
  PlanRequest,
  PlanResponse,
} from '@meshtraffic/backstage-plugin-mesh-common';

export type InvalidIntent = { valid: false; issues: IntentIssue[] };

/**
 * The mesh backend's REST API, called on behalf of the template's user: the same validation,
 * permission checks and history as a change made from the Mesh tab. Credentials for the clusters
 * stay in the mesh backend; this holds none.
 */
export class MeshBackendClient {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  getState(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
  ): Promise<EntityMeshState> {
    return this.call(credentials, 'GET', entity, '');
  }

  plan(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
    request: PlanRequest,
  ): Promise<PlanResponse> {
    return this.call(credentials, 'POST', entity, '/plan', request);
  }

  apply(
    credentials: BackstageCredentials,
    entity: CompoundEntityRef,
    request: ApplyRequest,
  ): Promise<ApplyResponse | InvalidIntent> {
    return this.call(credentials, 'POST', entity, '/apply', request);
  }

  private async call<T>(
    credentials: BackstageCredentials,
    method: string,
    entity: CompoundEntityRef,
    suffix: string,
    body?: unknown,
  ): Promise<T> {
    const base = await this.deps.discovery.getBaseUrl('mesh');
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'mesh',
    });
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    const response = await fetch(`${base}/entities/${path}${suffix}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 400) {
      // An invalid intent comes back with every problem and its path; anything else is an error.
      const payload = await response
        .clone()
        .text()
        .then(text => JSON.parse(text))
        .catch(() => undefined);
      if (Array.isArray(payload?.issues))
        return { valid: false, issues: payload.issues } as T;
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    // JSON.parse here rather than response.json(): the values then belong to this module's realm,
    // which the scaffolder's templating insists on for arrays (it differs from fetch's under jest).
    return JSON.parse(await response.text()) as T;
  }
}
