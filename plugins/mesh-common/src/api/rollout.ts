import { z } from 'zod';
import {
  canaryAnalysisSchema,
  TrafficIntent,
  trafficIntentSchema,
} from '../intent/schema';
import { CheckVerdict, ClusterCheck } from './types';
import { checkVerdictSchema, clusterCheckSchema } from './observedResponses';
import { Same, same } from './schemaParts';

/**
 * A change rolled out in waves: ordered groups of config clusters, each written as its own
 * transaction, with a bake time (and, optionally, the canary analysis' checks on the clusters done
 * so far) between one wave and the next. One wave of every config cluster is a plain apply.
 */

/**
 * What is judged between waves, on every version the change sends more traffic to, on the clusters done: the canary analysis' checks.
 *
 * @public
 */
export const rolloutChecksSchema = canaryAnalysisSchema
  .pick({ successRateMin: true, latency: true, minRequests: true })
  .strict()
  .refine(c => c.successRateMin !== undefined || c.latency !== undefined, {
    message: 'needs successRateMin or latency',
  });

/** @public */
export const rolloutRequestSchema = z
  .object({
    /** Groups of config clusters, in order: `[["east"], ["west"]]` is one cluster at a time. */
    waves: z
      .array(z.array(z.string().min(1).max(253)).min(1).max(50))
      .min(1)
      .max(50),
    /** Seconds each wave bakes before the next; also the window the checks read. */
    bakeSeconds: z.number().int('must be a whole number').min(0).max(86_400),
    checks: rolloutChecksSchema.optional(),
  })
  .strict();

/** @public */
export type RolloutChecks = z.infer<typeof rolloutChecksSchema>;
/** @public */
export type RolloutRequest = z.infer<typeof rolloutRequestSchema>;

/**
 * `POST .../rollout`: what a person does to the host's rollout in progress.
 *
 * @public
 */
export const rolloutActionRequestSchema = z
  .object({ action: z.enum(['pause', 'resume', 'finish', 'rollback']) })
  .strict();
/** @public */
export type RolloutAction = z.infer<
  typeof rolloutActionRequestSchema
>['action'];

/** @public */
export type RolloutStatus =
  | 'baking'
  | 'paused'
  | 'completed'
  /** Put back where it could be; the clusters it could not reach are tried again until they are. */
  | 'rolling-back'
  | 'rolled-back'
  | 'failed';

/** @public */
export interface RolloutWave {
  clusters: string[];
  status: 'done' | 'pending' | 'rolled-back';
  /** The history row of the wave's transaction. */
  historyId?: number;
  appliedAt?: string;
  /** While rolling back: the wave's clusters not put back yet (unreachable so far). */
  owed?: string[];
}

/**
 * One version's figures on one cluster between waves.
 *
 * @public
 */
export type RolloutCheck = ClusterCheck & { version: string };

/** @public */
export interface RolloutEvaluation {
  at: string;
  /** The waves done when it was judged. */
  wave: number;
  verdict: CheckVerdict;
  reason: string;
  checks: RolloutCheck[];
}

/**
 * A host's rollout: the one in progress, or the last one and how it ended.
 *
 * @public
 */
export interface RolloutState {
  id: number;
  status: RolloutStatus;
  startedBy: string;
  createdAt: string;
  waves: RolloutWave[];
  bakeSeconds: number;
  checks?: RolloutChecks;
  /** When the next wave is due (its bake ends and the checks are read); baking rollouts only. */
  nextCheckAt?: string;
  intentAfter: TrafficIntent;
  intentBefore?: TrafficIntent;
  /** How it ended, or why it is paused. */
  reason?: string;
  evaluations: RolloutEvaluation[];
}

const rolloutCheckSchema = clusterCheckSchema
  .extend({ version: z.string() })
  .strict();

/** @public */
export const rolloutStateSchema = z
  .object({
    id: z.number(),
    status: z.enum([
      'baking',
      'paused',
      'completed',
      'rolling-back',
      'rolled-back',
      'failed',
    ]),
    startedBy: z.string(),
    createdAt: z.string(),
    waves: z.array(
      z
        .object({
          clusters: z.array(z.string()),
          status: z.enum(['done', 'pending', 'rolled-back']),
          historyId: z.number().optional(),
          appliedAt: z.string().optional(),
          owed: z.array(z.string()).optional(),
        })
        .strict(),
    ),
    bakeSeconds: z.number(),
    checks: z
      .object({
        successRateMin: z.number().optional(),
        latency: z
          .object({ percentile: z.number(), maxMs: z.number() })
          .strict()
          .optional(),
        minRequests: z.number(),
      })
      .strict()
      .optional(),
    nextCheckAt: z.string().optional(),
    intentAfter: trafficIntentSchema,
    intentBefore: trafficIntentSchema.optional(),
    reason: z.string().optional(),
    evaluations: z.array(
      z
        .object({
          at: z.string(),
          wave: z.number(),
          verdict: checkVerdictSchema,
          reason: z.string(),
          checks: z.array(rolloutCheckSchema),
        })
        .strict(),
    ),
  })
  .strict();

same<Same<z.infer<typeof rolloutStateSchema>, RolloutState>>();
