import { rolloutRequestSchema } from './rollout';
import { z } from 'zod';
import { DNS_1123_LABEL } from '../entity/target';
import { expiresSchema } from '../intent/expiry';

/**
 * The request bodies of `/api/mesh`, one schema per route, next to the intent's. The router parses
 * with them (a 400 naming each bad field) and hands the services typed requests. The intent itself
 * is `unknown` here on purpose: `validateIntent` judges it, with every problem and its path.
 */

/**
 * What the onboarding template names for an entity whose catalog-info.yaml does not carry the annotations yet.
 *
 * @public
 */
export const onboardingTargetSchema = z
  .object({
    mesh: z.string().min(1).max(63),
    namespace: z
      .string()
      .max(63)
      .regex(DNS_1123_LABEL, 'must be a Kubernetes namespace name'),
    service: z
      .string()
      .max(63)
      .regex(DNS_1123_LABEL, 'must be a Kubernetes Service name'),
  })
  .strict();

const intentField = z
  .unknown()
  .refine(value => value !== undefined, { message: 'Required' });
const revisionField = z
  .string({
    required_error: 'Required: the revision the plan was made against',
  })
  .min(1);

/** @public */
export const planRequestSchema = z
  .object({
    intent: intentField,
    /** When risky parts of the intent end by themselves. */
    expires: expiresSchema.optional(),
    adopt: z.boolean().optional(),
    onboarding: onboardingTargetSchema.optional(),
  })
  .strict();

/** The callers a change of access turns away, named to confirm it (`*`: unseen ones). */
const confirmDeniedField = z
  .array(z.string().min(1).max(255))
  .max(200)
  .optional();

/** @public */
export const applyRequestSchema = z
  .object({
    intent: intentField,
    /** When risky parts of the intent end by themselves: a fault, a mirror, a route. */
    expires: expiresSchema.optional(),
    revision: revisionField,
    adopt: z.boolean().optional(),
    scaffolderTaskId: z.string().min(1).max(255).optional(),
    onboarding: onboardingTargetSchema.optional(),
    /** Write the change in waves of config clusters instead of all at once. */
    rollout: rolloutRequestSchema.optional(),
    /**
     * The callers (`namespace/service`) the plan's access preview says the change turns away,
     * named to confirm it; `*` when the preview could not read them.
     */
    confirmDenied: confirmDeniedField,
  })
  .strict();

/** @public */
export const rollbackRequestSchema = z
  .object({
    to: z.number().int().positive(),
    revision: revisionField,
    adopt: z.boolean().optional(),
    /** As apply's: the callers an access part the rollback brings back turns away. */
    confirmDenied: confirmDeniedField,
  })
  .strict();

/**
 * A range Prometheus reads as a duration: 30s, 5m, 1h.
 *
 * @public
 */
export const METRICS_WINDOW = /^[1-9]\d*(s|m|h)$/;

/**
 * The longest window live traffic may be read over: a range query's cost grows with its window,
 * and a page view must not be able to ask Prometheus for weeks of samples.
 *
 * @public
 */
export const MAX_METRICS_WINDOW_SECONDS = 6 * 3600;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * `GET .../metrics?window=5m`: the window live traffic is averaged over, 10s to 6h.
 *
 * @public
 */
export const metricsQuerySchema = z
  .object({
    window: z
      .string()
      .regex(METRICS_WINDOW, 'must be a duration such as 30s, 5m or 1h')
      .refine(
        w => {
          const seconds = Number(w.slice(0, -1)) * UNIT_SECONDS[w.slice(-1)];
          return !(seconds > MAX_METRICS_WINDOW_SECONDS) && seconds >= 10;
        },
        { message: 'must be between 10s and 6h' },
      )
      .default('5m'),
  })
  .passthrough();

/**
 * `GET .../canary?before=<id>`: the evaluations older than that one (the next page).
 *
 * @public
 */
export const canaryQuerySchema = z
  .object({ before: z.coerce.number().int().positive().optional() })
  .passthrough();

/**
 * `DELETE .../intent?revision=...`: the query, not a body.
 *
 * @public
 */
export const removeRequestSchema = z
  .object({
    revision: revisionField,
    /** As apply's, for the service's access part that removal lifts: `?confirmDenied=*`. */
    confirmDenied: z
      .union([z.string(), z.array(z.string())])
      .transform(v => (Array.isArray(v) ? v : [v]))
      .optional(),
  })
  .passthrough();

/**
 * The intent stays `unknown` to the type as to the schema: validateIntent is its judge.
 *
 * @public
 */
export type WithIntent<T> = Omit<T, 'intent'> & { intent: unknown };

/** @public */
export type PlanRequestBody = WithIntent<z.infer<typeof planRequestSchema>>;
/** @public */
export type ApplyRequestBody = WithIntent<z.infer<typeof applyRequestSchema>>;
/** @public */
export type RollbackRequestBody = z.infer<typeof rollbackRequestSchema>;

/**
 * Every problem of a request body, each with its field path: what an InputError says.
 *
 * @public
 */
export function requestIssues(error: z.ZodError): string {
  return error.issues
    .map(i => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}

/**
 * `?workload=ns/service` (repeated, up to 50): the services whose service accounts are asked for.
 *
 * @public
 */
export const serviceAccountsQuerySchema = z
  .object({
    workload: z
      .union([z.string(), z.array(z.string())])
      .transform(v => (Array.isArray(v) ? v : [v]))
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
                'must be namespace/service, e.g. bookinfo/productpage',
              ),
          )
          .min(1)
          .max(50),
      ),
  })
  .strict();
