import { z } from 'zod';
import { changeState, clusterRole, meshKind, same, Same } from './schemaParts';
import type {
  CanaryAnalysisState,
  CanaryEvaluation,
  ClusterCheck,
  HostTraffic,
  MeshStatus,
  ServiceGraph,
} from './types';

/**
 * The answers about what the mesh does rather than what it is told: live traffic, the canary
 * analysis, the mesh's status. Strict, and kept the same as the TypeScript types, as in responses.ts.
 */

/** @public */
export const hostTrafficSchema = z
  .object({
    window: z.string(),
    versions: z.array(
      z
        .object({
          cluster: z.string(),
          version: z.string(),
          requestRate: z.number(),
          successRate: z.number().optional(),
          p50Ms: z.number().optional(),
          p99Ms: z.number().optional(),
        })
        .strict(),
    ),
    callers: z.array(
      z
        .object({
          cluster: z.string(),
          version: z.string(),
          percent: z.number(),
        })
        .strict(),
    ),
    configured: z
      .array(
        z
          .object({
            version: z.string(),
            cluster: z.string().optional(),
            weight: z.number(),
          })
          .strict(),
      )
      .optional(),
    series: z.array(
      z
        .object({
          version: z.string(),
          points: z.array(z.tuple([z.number(), z.number()])),
        })
        .strict(),
    ),
  })
  .strict();

/** @public */
export const checkVerdictSchema = z.enum(['pass', 'fail', 'inconclusive']);

/**
 * One cluster's figures and verdict, as the canary analysis and the rollout checks give them.
 *
 * @public
 */
export const clusterCheckSchema = z
  .object({
    cluster: z.string(),
    requests: z.number(),
    successRate: z.number().optional(),
    latencyMs: z.number().optional(),
    verdict: checkVerdictSchema,
    reasons: z.array(z.string()),
  })
  .strict();

/** @public */
export const canaryEvaluationSchema = z
  .object({
    id: z.number(),
    entityRef: z.string(),
    createdAt: z.string(),
    candidate: z.string(),
    step: z.number(),
    verdict: checkVerdictSchema,
    action: z.enum(['advance', 'promote', 'abort', 'none']),
    failures: z.number(),
    reason: z.string(),
    clusters: z.array(clusterCheckSchema),
    historyId: z.number().optional(),
  })
  .strict();

/** @public */
export const canaryAnalysisStateSchema = z
  .object({
    run: z
      .object({
        startedBy: z.string(),
        step: z.number(),
        failures: z.number(),
        inconclusive: z.number(),
        errors: z.number(),
        stepSince: z.string(),
        nextEvaluationAt: z.string(),
      })
      .strict()
      .optional(),
    evaluations: z.array(canaryEvaluationSchema),
    olderBefore: z.number().optional(),
    pruned: z
      .object({
        count: z.number(),
        pass: z.number(),
        fail: z.number(),
        inconclusive: z.number(),
        acted: z.number(),
        from: z.string(),
        to: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** @public */
export const meshStatusSchema = z
  .object({
    id: z.string(),
    kind: meshKind,
    configClusters: z.array(z.string()),
    clusters: z.array(
      z
        .object({
          name: z.string(),
          role: clusterRole,
          network: z.string().optional(),
          region: z.string().optional(),
          reachable: z.boolean(),
          error: z.string().optional(),
          kubernetesVersion: z.string().optional(),
        })
        .strict(),
    ),
    controlPlanes: z.array(
      z
        .object({
          cluster: z.string(),
          name: z.string(),
          revision: z.string(),
          version: z.string().optional(),
          replicas: z.number(),
          readyReplicas: z.number(),
        })
        .strict(),
    ),
    namespaces: z.array(
      z
        .object({
          cluster: z.string(),
          namespace: z.string(),
          injection: z.string().optional(),
          pods: z.number(),
          injectedPods: z.number(),
          proxiesNotReady: z.number().optional(),
        })
        .strict(),
    ),
    proxyResources: z
      .array(
        z
          .object({
            cluster: z.string(),
            proxies: z.number(),
            cpuCores: z.number(),
            memoryBytes: z.number(),
          })
          .strict(),
      )
      .optional(),
    proxyResourcesError: z.string().optional(),
    services: z.array(
      z
        .object({
          entityRef: z.string(),
          host: z.string(),
          summary: z.string(),
          clusters: z.array(
            z
              .object({
                cluster: z.string(),
                status: z.enum(['ours', 'drifted']),
              })
              .strict(),
          ),
          lastChange: z
            .object({
              actor: z.string(),
              onBehalfOf: z.string().optional(),
              at: z.string(),
              state: changeState,
            })
            .strict()
            .optional(),
          rollout: z
            .object({
              id: z.number(),
              status: z.enum(['baking', 'paused']),
              wavesDone: z.number(),
              waves: z.number(),
              nextCheckAt: z.string().optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    ),
    warnings: z.array(z.string()).optional(),
  })
  .strict();

const graphEndpointSchema = z
  .object({
    service: z.string(),
    namespace: z.string(),
    version: z.string(),
    cluster: z.string(),
  })
  .strict();

const graphEdgeSchema = z
  .object({
    self: graphEndpointSchema.omit({ service: true, namespace: true }),
    peer: graphEndpointSchema,
    requestRate: z.number(),
    errorRate: z.number().optional(),
    p99Ms: z.number().optional(),
    mtls: z.enum(['mutual_tls', 'none', 'partial', 'unknown']).optional(),
    principals: z.array(z.string()).optional(),
  })
  .strict();

/** @public */
export const serviceGraphSchema = z
  .object({
    window: z.string(),
    service: z.string(),
    namespace: z.string(),
    inbound: z.array(graphEdgeSchema),
    outbound: z.array(graphEdgeSchema),
  })
  .strict();

same<Same<z.infer<typeof hostTrafficSchema>, HostTraffic>>();
same<Same<z.infer<typeof serviceGraphSchema>, ServiceGraph>>();
same<Same<z.infer<typeof clusterCheckSchema>, ClusterCheck>>();
same<Same<z.infer<typeof canaryEvaluationSchema>, CanaryEvaluation>>();
same<Same<z.infer<typeof canaryAnalysisStateSchema>, CanaryAnalysisState>>();
same<Same<z.infer<typeof meshStatusSchema>, MeshStatus>>();
