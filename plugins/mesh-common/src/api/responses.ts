import { rolloutStateSchema } from './rollout';
import { z } from 'zod';
import {
  action,
  changeState,
  clusterHolds,
  clusterRole,
  meshKind,
  same,
  Same,
} from './schemaParts';
import { trafficIntentSchema } from '../intent/schema';
import type { IntentIssue } from '../intent/issues';
import type { ClassifiedObject } from '../parse/classify';
import type { WorkloadVersion } from '../intent/workloads';
import type {
  ApplyResponse,
  ClusterApplyResult,
  ClusterPlan,
  AccessPreview,
  ServiceAccountsResponse,
  ClustersResponse,
  ClusterState,
  EntityMeshState,
  HistoryEntry,
  PlanResponse,
  UnfinishedChange,
} from './types';

/** The kinds of object the product writes: Istio's routing, or Gateway API's route and version Services. */
const routingApi = z.enum(['istio', 'gateway-api']);

const routingKind = z.enum([
  'VirtualService',
  'DestinationRule',
  'HTTPRoute',
  'Service',
  'AuthorizationPolicy',
]);

/**
 * The response bodies of `/api/mesh`, as zod schemas beside the requests'. Every object is
 * strict: a field the contract does not name fails the parse. The OpenAPI document is checked
 * against these, and the type checks at the end keep them and the TypeScript types the same.
 */

/** @public */
export const intentIssueSchema = z
  .object({ path: z.string(), message: z.string() })
  .strict();

/** @public */
export const clustersResponseSchema = z
  .object({
    meshes: z.array(
      z
        .object({
          id: z.string(),
          kind: meshKind,
          configClusters: z.array(z.string()),
          routingApi,
          trustDomain: z.string().optional(),
        })
        .strict(),
    ),
    clusters: z.array(
      z
        .object({
          name: z.string(),
          title: z.string().optional(),
          mesh: z.string(),
          role: clusterRole,
          network: z.string().optional(),
          region: z.string().optional(),
          reachable: z.boolean(),
          error: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** @public */
export const classifiedObjectSchema = z
  .object({
    kind: routingKind,
    name: z.string(),
    namespace: z.string(),
    status: z.enum(['ours', 'drifted', 'foreign']),
    owner: z.enum([
      'backstage-mesh',
      'kiali',
      'flagger',
      'argo-rollouts',
      'argo-cd',
      'flux',
      'hand-written',
    ]),
    ownerEntityRef: z.string().optional(),
    reason: z.string().optional(),
    adoption: z.enum(['rewrite', 'delete', 'keep', 'blocked']).optional(),
  })
  .strict();

const workloadVersionSchema = z
  .object({
    cluster: z.string(),
    version: z.string(),
    replicas: z.number(),
    readyReplicas: z.number(),
  })
  .strict();

/** @public */
export const clusterStateSchema = z
  .object({
    cluster: z.string(),
    role: clusterRole,
    reachable: z.boolean(),
    error: z.string().optional(),
    isConfigCluster: z.boolean(),
    workloads: z.array(workloadVersionSchema),
    routing: z.array(classifiedObjectSchema),
    intent: trafficIntentSchema.optional(),
    handEdit: z
      .object({
        intent: trafficIntentSchema.optional(),
        cannotRepresent: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** @public */
export const unfinishedChangeSchema = z
  .object({
    historyId: z.number(),
    state: z.enum(['interrupted', 'restore-failed', 'pending']),
    action,
    actor: z.string(),
    createdAt: z.string(),
    intentBefore: trafficIntentSchema.optional(),
    intentAfter: trafficIntentSchema.optional(),
    clusters: z.array(
      z.object({ cluster: z.string(), holds: clusterHolds }).strict(),
    ),
  })
  .strict();

/** @public */
export const entityMeshStateSchema = z
  .object({
    target: z
      .object({
        mesh: z.string(),
        service: z.string(),
        namespace: z.string(),
        host: z.string(),
        entityRef: z.string(),
        routingApi,
      })
      .strict(),
    clusters: z.array(clusterStateSchema),
    intent: trafficIntentSchema.optional(),
    revision: z.string(),
    heldBy: z.string().optional(),
    claimedBy: z.array(z.string()).optional(),
    writeBlocked: z.string().optional(),
    expiries: z
      .array(
        z
          .object({
            part: z.string(),
            expiresAt: z.string(),
            setBy: z.string(),
          })
          .strict(),
      )
      .optional(),
    clustersDisagree: z.boolean().optional(),
    lastApplied: z
      .object({ historyId: z.number(), intent: trafficIntentSchema.optional() })
      .strict()
      .optional(),
    unfinished: unfinishedChangeSchema.optional(),
    rollout: rolloutStateSchema.optional(),
  })
  .strict();

/** @public */
export const clusterPlanSchema = z
  .object({
    cluster: z.string(),
    changes: z.array(
      z
        .object({
          kind: routingKind,
          name: z.string(),
          namespace: z.string().optional(),
          action: z.enum(['create', 'update', 'delete', 'unchanged']),
          takesOverFrom: z.string().optional(),
          diff: z.string(),
          // The whole Kubernetes object, as the API server would hold it.
          object: z.record(z.unknown()).optional(),
        })
        .strict(),
    ),
    dryRun: z
      .object({ ok: z.boolean(), message: z.string().optional() })
      .strict(),
    foreign: z.array(classifiedObjectSchema),
    drifted: z.array(classifiedObjectSchema),
    kept: z.array(classifiedObjectSchema),
  })
  .strict();

/** @public */
export const turnedAwayCallerSchema = z
  .object({
    cluster: z.string(),
    caller: z.string(),
    principals: z.array(z.string()),
    requestRate: z.number(),
    admission: z.enum(['denied', 'limited']),
    reason: z.string(),
  })
  .strict();

/** @public */
export const accessPreviewSchema = z
  .object({
    window: z.string(),
    turnedAway: z.array(turnedAwayCallerSchema),
    unavailable: z.string().optional(),
  })
  .strict();

/** @public */
export const serviceAccountsResponseSchema = z
  .object({
    workloads: z.array(
      z
        .object({
          namespace: z.string(),
          service: z.string(),
          serviceAccounts: z.array(z.string()),
          clusters: z.array(z.string()),
        })
        .strict(),
    ),
    unreadable: z.array(z.string()),
  })
  .strict();

/** @public */
export const planResponseSchema = z.union([
  z
    .object({ valid: z.literal(false), issues: z.array(intentIssueSchema) })
    .strict(),
  z
    .object({
      valid: z.literal(true),
      revision: z.string(),
      clusters: z.array(clusterPlanSchema),
      needsAdoption: z.boolean(),
      adopt: z.boolean(),
      blocked: z.string().optional(),
      access: accessPreviewSchema.optional(),
    })
    .strict(),
]);

/** @public */
export const clusterApplyResultSchema = z
  .object({
    cluster: z.string(),
    outcome: z.enum([
      'applied',
      'unchanged',
      'restored',
      'failed',
      'unreachable',
      'restore-failed',
      'interrupted',
    ]),
    message: z.string().optional(),
    holds: clusterHolds.optional(),
  })
  .strict();

/** @public */
export const applyResponseSchema = z
  .object({
    ok: z.boolean(),
    historyId: z.number(),
    clusters: z.array(clusterApplyResultSchema),
    revision: z.string().optional(),
    rolloutId: z.number().optional(),
  })
  .strict();

/** @public */
export const historyEntrySchema = z
  .object({
    id: z.number(),
    entityRef: z.string(),
    actor: z.string(),
    action,
    createdAt: z.string(),
    intentBefore: trafficIntentSchema.optional(),
    intentAfter: trafficIntentSchema.optional(),
    ok: z.boolean(),
    state: changeState,
    clusters: z.array(clusterApplyResultSchema),
    scaffolderTaskId: z.string().optional(),
    viaAction: z.string().optional(),
    onBehalfOf: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict();

/** @public */
export const historyResponseSchema = z
  .object({ items: z.array(historyEntrySchema) })
  .strict();

/**
 * A 400 for an invalid intent: Backstage's error body with every issue and its path.
 *
 * @public
 */
export const invalidIntentResponseSchema = z
  .object({
    error: z.object({ name: z.string(), message: z.string() }).strict(),
    response: z.object({ statusCode: z.number() }).strict(),
    issues: z.array(intentIssueSchema),
  })
  .strict();

same<Same<z.infer<typeof intentIssueSchema>, IntentIssue>>();
same<Same<z.infer<typeof workloadVersionSchema>, WorkloadVersion>>();
same<Same<z.infer<typeof classifiedObjectSchema>, ClassifiedObject>>();
same<Same<z.infer<typeof clustersResponseSchema>, ClustersResponse>>();
same<Same<z.infer<typeof clusterStateSchema>, ClusterState>>();
same<Same<z.infer<typeof unfinishedChangeSchema>, UnfinishedChange>>();
same<Same<z.infer<typeof entityMeshStateSchema>, EntityMeshState>>();
same<
  Same<
    Omit<z.infer<typeof clusterPlanSchema>, 'changes'>,
    Omit<ClusterPlan, 'changes'>
  >
>();
same<Same<z.infer<typeof clusterApplyResultSchema>, ClusterApplyResult>>();
same<Same<z.infer<typeof applyResponseSchema>, ApplyResponse>>();
same<Same<z.infer<typeof historyEntrySchema>, HistoryEntry>>();
same<Same<z.infer<typeof accessPreviewSchema>, AccessPreview>>();
same<
  Same<z.infer<typeof serviceAccountsResponseSchema>, ServiceAccountsResponse>
>();
same<
  Same<z.infer<typeof planResponseSchema>['valid'], PlanResponse['valid']>
>();
