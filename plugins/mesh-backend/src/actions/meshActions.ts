import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import {
  applyRequestSchema,
  applyResponseSchema,
  entityMeshStateSchema,
  expiresSchema,
  hostTrafficSchema,
  meshStatusSchema,
  METRICS_WINDOW,
  planResponseSchema,
  rollbackRequestSchema,
  trafficIntentSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { z } from 'zod';
import { Caller, MeshOperations } from '../http/MeshOperations';
import { invalidIntentBody } from '../http/requestParts';

/**
 * The intent as mesh-common's schema describes it, for the agent reading the action's JSON
 * Schema; its parse never fails here, so the backend's own validation judges it and names every
 * bad field with its path, as the REST API does.
 */
const intentInput = trafficIntentSchema
  .catch(ctx => ctx.input)
  .describe(
    'The whole traffic intent for the service, replacing the current one (read it first with mesh:get-service-routing and change what you need). split is required: weights per version summing to 100, e.g. [{ "version": "v1", "weight": 90 }, { "version": "v2", "weight": 10 }]. Optional parts: routes (header/path rules to a version), canary, mirror, fault, timeout, retries, trafficPolicy, access (who may call the service: rules of callers by serviceAccount namespace/name, principal or namespace).',
  );

const entityRef = z
  .string()
  .min(1)
  .describe(
    'The catalog entity of the service, e.g. component:default/reviews (its mesh.meshtraffic.io annotations name the mesh, namespace and service)',
  );

const revision = z
  .string()
  .min(1)
  .describe(
    'The revision mesh:plan-traffic-change returned: the change is written only if the live routing is still what the plan saw (409 otherwise: plan again)',
  );

const confirmDenied = applyRequestSchema.shape.confirmDenied.describe(
  'Only when the plan’s access preview lists callers the new access part turns away (turnedAway) and the user has agreed to cut them off: each caller’s namespace/service; ["*"] when the preview says the callers could not be seen. Never add a caller the user did not confirm.',
);

/** An invalid intent is an input error for the agent, with every problem and its path. */
function validOrThrow<T extends { valid: boolean }>(
  outcome: T | { valid: false; issues: any[] },
): Exclude<T, { valid: false }> {
  if (!outcome.valid)
    throw new InputError(
      invalidIntentBody((outcome as { issues: any[] }).issues).error.message,
    );
  return outcome as Exclude<T, { valid: false }>;
}

/** The Actions Registry types schemas by its own copy of zod; ours are the same zod 3 at runtime. */
const schema = <I extends z.AnyZodObject, O extends z.AnyZodObject>(
  input: I,
  output: O,
) => ({ input: () => input as any, output: () => output as any });

/**
 * The mesh's actions in Backstage's Actions Registry, which `@backstage/plugin-mcp-actions-backend`
 * offers to MCP clients (coding agents) with the signed-in user's identity. Each one is the REST
 * route's operation with the caller's credentials: the same permissions, ownership, transaction,
 * audit and history (which names the action), so an agent can do nothing its user could not.
 */
export function registerMeshActions(
  registry: ActionsRegistryService,
  operations: MeshOperations,
) {
  const caller = (credentials: Caller['credentials'], action: string) => ({
    credentials,
    viaAction: `mesh:${action}`,
  });

  registry.register({
    name: 'get-service-routing',
    title: 'Read a service’s mesh routing and live traffic',
    description:
      'Reads how a service in the Istio mesh is routed: per cluster its versions (ready replicas), the routing objects (ours, drifted, or foreign with who holds them, e.g. another entity, Kiali, Argo CD), the current traffic intent, the revision to plan against, and, when the mesh has Prometheus, the live request rate, success rate and latency per cluster and version. Call this first, before planning a change. Changes nothing.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: schema(
      z.object({
        entityRef,
        window: z
          .string()
          .regex(METRICS_WINDOW)
          .optional()
          .describe('Live traffic over this window, e.g. 5m (default)'),
      }),
      z.object({
        state: entityMeshStateSchema,
        traffic: hostTrafficSchema.optional(),
        trafficUnavailable: z
          .string()
          .optional()
          .describe('Why live traffic could not be read'),
      }),
    ),
    action: async ({ input, credentials }) => {
      const who = caller(credentials, 'get-service-routing');
      const state = await operations.state(who, input.entityRef);
      const traffic = await operations
        .traffic(who, input.entityRef, input.window ?? '5m')
        .then(
          t => ({ traffic: t }),
          e => ({ trafficUnavailable: String(e.message ?? e) }),
        );
      return { output: { state, ...traffic } };
    },
  });

  registry.register({
    name: 'plan-traffic-change',
    title: 'Plan a change to a service’s mesh routing',
    description:
      'Previews what a new traffic intent would change on every config cluster of the mesh: per cluster the objects to create, update or delete with a readable diff, the API server’s dry-run verdict, foreign objects and whether the change is blocked or needs an adopt, and the revision to apply it with. Nothing is written. An invalid intent fails with every problem and its field path. Show the user the plan before applying it.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: schema(
      z.object({
        entityRef,
        intent: intentInput,
        expires: expiresSchema.optional(),
      }),
      z.object({ plan: planResponseSchema.options[1] }),
    ),
    action: async ({ input, credentials }) => {
      const plan = await operations.plan(
        caller(credentials, 'plan-traffic-change'),
        input.entityRef,
        { intent: input.intent, expires: input.expires },
      );
      return { output: { plan: validOrThrow(plan) } };
    },
  });

  registry.register({
    name: 'apply-traffic-change',
    title: 'Apply a planned change to a service’s mesh routing',
    description:
      'Writes a traffic intent to every config cluster of the mesh as one transaction (make-before-break, put back everywhere if any cluster fails), recorded in the service’s history. Give the same intent you planned and the revision the plan returned: if the live routing changed since, nothing is written and the call fails with 409 (plan again). Only the service’s owners (and mesh admins) may apply; routing another entity, a GitOps tool or a person holds is refused. Ask the user to confirm the plan first.',
    attributes: { readOnly: false, idempotent: false, destructive: true },
    schema: schema(
      z.object({
        entityRef,
        intent: intentInput,
        revision,
        expires: expiresSchema.optional(),
        confirmDenied,
      }),
      applyResponseSchema,
    ),
    action: async ({ input, credentials }) => {
      const outcome = await operations.apply(
        caller(credentials, 'apply-traffic-change'),
        input.entityRef,
        () => ({
          intent: input.intent,
          revision: input.revision,
          expires: input.expires,
          confirmDenied: input.confirmDenied,
        }),
      );
      const { valid: _valid, ...response } = validOrThrow(outcome);
      return { output: response };
    },
  });

  registry.register({
    name: 'rollback-traffic-change',
    title: 'Roll a service’s mesh routing back to a history entry',
    description:
      'Puts back the traffic intent a history entry left (its id from the service’s history, e.g. from the Mesh tab), through the same transaction as an apply, against the revision from mesh:get-service-routing (409 when the routing changed since). Only the service’s owners (and mesh admins) may roll back.',
    attributes: { readOnly: false, idempotent: false, destructive: true },
    schema: schema(
      z.object({
        entityRef,
        to: rollbackRequestSchema.shape.to.describe(
          'The id of the history entry to go back to',
        ),
        revision: revision.describe(
          'The revision mesh:get-service-routing returned',
        ),
        confirmDenied,
      }),
      applyResponseSchema,
    ),
    action: async ({ input, credentials }) => {
      const outcome = await operations.rollback(
        caller(credentials, 'rollback-traffic-change'),
        input.entityRef,
        () => ({
          to: input.to,
          revision: input.revision,
          confirmDenied: input.confirmDenied,
        }),
      );
      const { valid: _valid, ...response } = validOrThrow(outcome);
      return { output: response };
    },
  });

  registry.register({
    name: 'get-mesh-status',
    title: 'Read a mesh’s status',
    description:
      'Reads the status of one mesh (its id as entities name it, e.g. demo): its kind (multi-primary, primary-remote, external control plane), which clusters hold routing config, each cluster’s reachability and Kubernetes version, the control planes (istiod revisions, versions, ready replicas), sidecars per namespace, and the routed services you may read. Changes nothing.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: schema(
      z.object({ mesh: z.string().min(1).describe('The mesh id, e.g. demo') }),
      meshStatusSchema,
    ),
    action: async ({ input, credentials }) => ({
      output: await operations.meshStatus(
        caller(credentials, 'get-mesh-status'),
        input.mesh,
      ),
    }),
  });
}
