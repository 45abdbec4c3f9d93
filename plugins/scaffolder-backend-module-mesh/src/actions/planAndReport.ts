import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { PlanResponse } from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshBackendClient } from '../client/MeshBackendClient';
import { MeshTrafficInput } from './inputSchema';
import {
  invalidIntentError,
  MeshTrafficRequest,
  resolveRequest,
} from './resolveRequest';
import { meshTabUrl, planSummary } from './summary';

/** @public */
export interface MeshActionDeps {
  catalog: CatalogService;
  client: MeshBackendClient;
  /** `app.baseUrl`, for the link to the entity's Mesh tab. */
  appBaseUrl: string;
}

export type ValidPlan = Extract<PlanResponse, { valid: true }>;

/** Resolves the input and plans it through the mesh backend; an invalid intent is an InputError with every path. */
export async function resolveAndPlan(
  input: MeshTrafficInput,
  deps: MeshActionDeps,
  credentials: BackstageCredentials,
) {
  const request = await resolveRequest(input, { ...deps, credentials });
  const plan = await deps.client.plan(credentials, request.ref, {
    intent: request.intent,
    onboarding: request.onboarding,
  });
  if (!plan.valid) throw invalidIntentError(plan.issues);
  if (plan.needsAdoption && !input.adopt) {
    throw new InputError(
      `foreign routing for the host would be replaced; set adopt: true to take it over.\n${planSummary(
        plan.clusters,
      )}`,
    );
  }
  return { request, plan };
}

/** The outputs both actions give for a plan. */
export function planOutputs(
  request: MeshTrafficRequest,
  plan: ValidPlan,
  appBaseUrl: string,
) {
  return {
    revision: plan.revision,
    needsAdoption: plan.needsAdoption,
    plan: plan.clusters.map(c => ({
      cluster: c.cluster,
      dryRun: c.dryRun.ok ? 'passed' : `refused: ${c.dryRun.message}`,
      changes: c.changes.map(x => ({
        kind: x.kind,
        name: x.name,
        action: x.action,
      })),
    })),
    summary: planSummary(plan.clusters),
    meshTabUrl: meshTabUrl(appBaseUrl, request.ref),
  };
}

/**
 * What both actions do first: resolve and plan on behalf of the task's initiator, and give the
 * plan's outputs. Returns what apply needs to go on.
 */
export async function planForTask(
  ctx: {
    input: MeshTrafficInput;
    getInitiatorCredentials(): Promise<BackstageCredentials>;
    // Each action's own output keys: any name planOutputs gives is one of them.
    output(name: any, value: any): void;
  },
  deps: MeshActionDeps,
) {
  const credentials = await ctx.getInitiatorCredentials();
  const { request, plan } = await resolveAndPlan(ctx.input, deps, credentials);
  const outputs = planOutputs(request, plan, deps.appBaseUrl);
  for (const [name, value] of Object.entries(outputs)) ctx.output(name, value);
  return { credentials, request, plan, outputs };
}
