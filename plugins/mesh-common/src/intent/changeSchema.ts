import { z } from 'zod';
import { TrafficChange } from './changes';
import {
  canaryAnalysisSchema,
  destinationSchema,
  faultSchema,
  INTENT_LIMITS,
  mirrorSchema,
  splitSchema,
} from './schema';
import { IntentIssue, zodIssue } from './validate';

const requestRuleSchema = z.union([
  z
    .object({
      header: z.string().min(1).max(INTENT_LIMITS.nameLength),
      value: z.string().max(INTENT_LIMITS.stringLength),
    })
    .strict(),
  z
    .object({
      cookie: z.string().min(1).max(INTENT_LIMITS.nameLength),
      value: z.string().max(INTENT_LIMITS.stringLength),
    })
    .strict(),
]);

const canaryChangeSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('start'),
      baseline: destinationSchema.shape.version,
      candidate: destinationSchema.shape.version,
      steps: z
        .array(z.number().int('must be a whole number').min(0).max(100))
        .min(1)
        .max(INTENT_LIMITS.canarySteps),
      testers: requestRuleSchema.optional(),
      analysis: canaryAnalysisSchema.optional(),
      auto: z.boolean().optional(),
    })
    .strict(),
  z.object({ action: z.enum(['advance', 'promote', 'abort']) }).strict(),
]);

/**
 * The shape of a partial change (TrafficChange); the intent it leads to is validated as any other.
 *
 * @public
 */
export const trafficChangeSchema = z
  .object({
    split: splitSchema.optional(),
    canary: canaryChangeSchema.optional(),
    mirror: mirrorSchema.nullable().optional(),
    fault: faultSchema
      .extend({
        scope: z.union([z.literal('all'), requestRuleSchema]).optional(),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .refine(
    c => Object.keys(c).length > 0,
    'name at least one of split, canary, mirror, fault',
  );

/**
 * Checks a partial change, with every problem's path under `change`.
 *
 * @public
 */
export function validateChange(
  input: unknown,
): { ok: true; change: TrafficChange } | { ok: false; issues: IntentIssue[] } {
  const parsed = trafficChangeSchema.safeParse(input);
  if (parsed.success) return { ok: true, change: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map(i =>
      zodIssue({ ...i, path: ['change', ...i.path] }),
    ),
  };
}
