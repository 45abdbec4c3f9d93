import { z } from 'zod';
import { durationToMillis } from './duration';
import { IntentIssue } from './issues';
import { TrafficIntent } from './schema';

/**
 * When a risky part of an intent (a fault, a mirror, a route) ends by itself: after a duration
 * from the change (`for: 30m`) or at a time (`at`, ISO 8601). It travels beside the intent, not in
 * it: the routing objects stay what the intent makes, and the backend keeps the end times.
 *
 * @public
 */
export const expirySchema = z.union([
  z.object({ for: z.string().max(32) }).strict(),
  z.object({ at: z.string().max(64) }).strict(),
]);

/** @public */
export const expiresSchema = z
  .object({
    fault: expirySchema.optional(),
    mirror: expirySchema.optional(),
    /** By route name. */
    routes: z.record(z.string().max(63), expirySchema).optional(),
  })
  .strict();

/** @public */
export type Expiry = z.infer<typeof expirySchema>;
/** @public */
export type Expires = z.infer<typeof expiresSchema>;

/**
 * The shortest an expiry may be: the scheduler looks every few seconds, and a change takes some.
 *
 * @public
 */
export const MIN_EXPIRY_MS = 10_000;

/**
 * A risky part of an intent, by name: `fault`, `mirror` or `routes.<name>`.
 *
 * @public
 */
export type RiskyPart = 'fault' | 'mirror' | `routes.${string}`;

/**
 * The parts of an intent that may expire, present in it.
 *
 * @public
 */
export function riskyParts(intent: TrafficIntent | undefined): RiskyPart[] {
  if (!intent) return [];
  return [
    ...(intent.fault ? (['fault'] as const) : []),
    ...(intent.mirror ? (['mirror'] as const) : []),
    ...(intent.routes ?? []).map(r => `routes.${r.name}` as RiskyPart),
  ];
}

/**
 * The intent without a part (the route, or the top-level fault or mirror).
 *
 * @public
 */
export function withoutPart(
  intent: TrafficIntent,
  part: RiskyPart,
): TrafficIntent {
  if (part === 'fault' || part === 'mirror') {
    const { [part]: _gone, ...rest } = intent;
    return rest;
  }
  const name = part.slice('routes.'.length);
  const routes = (intent.routes ?? []).filter(r => r.name !== name);
  const { routes: _all, ...rest } = intent;
  return routes.length ? { ...rest, routes } : rest;
}

/**
 * A part's own value in an intent, to tell whether a change left it as it was.
 *
 * @public
 */
export function partOf(
  intent: TrafficIntent | undefined,
  part: RiskyPart,
): unknown {
  if (!intent) return undefined;
  if (part === 'fault' || part === 'mirror') return intent[part];
  return intent.routes?.find(r => `routes.${r.name}` === part);
}

function expiryEntries(expires: Expires): Array<[RiskyPart, Expiry, string]> {
  return [
    ...(expires.fault
      ? [
          ['fault', expires.fault, 'expires.fault'] as [
            RiskyPart,
            Expiry,
            string,
          ],
        ]
      : []),
    ...(expires.mirror
      ? [
          ['mirror', expires.mirror, 'expires.mirror'] as [
            RiskyPart,
            Expiry,
            string,
          ],
        ]
      : []),
    ...Object.entries(expires.routes ?? {}).map(
      ([name, e]) =>
        [`routes.${name}`, e, `expires.routes.${name}`] as [
          RiskyPart,
          Expiry,
          string,
        ],
    ),
  ];
}

/**
 * The end time of each part that `expires` names (epoch milliseconds), with every problem and
 * its path: a part the intent does not have, a duration or time that does not parse, one too
 * short, or one beyond the mesh's maximum.
 *
 * @public
 */
export function resolveExpiries(
  expires: Expires | undefined,
  intent: TrafficIntent,
  options: { now: number; maxMs?: number },
): { ends: Partial<Record<RiskyPart, number>>; issues: IntentIssue[] } {
  const issues: IntentIssue[] = [];
  const ends: Partial<Record<RiskyPart, number>> = {};
  const present = new Set(riskyParts(intent));
  for (const [part, expiry, path] of expires ? expiryEntries(expires) : []) {
    if (!present.has(part)) {
      issues.push({ path, message: `the intent has no ${part} to end` });
      continue;
    }
    const at =
      'for' in expiry
        ? options.now + (durationToMillis(expiry.for) ?? NaN)
        : Date.parse(expiry.at);
    const field = `${path}.${'for' in expiry ? 'for' : 'at'}`;
    if (Number.isNaN(at)) {
      issues.push({
        path: field,
        message:
          'for' in expiry
            ? 'must be a duration such as 30m or 2h'
            : 'must be a time such as 2026-12-01T18:00:00Z',
      });
      continue;
    }
    if (at - options.now < MIN_EXPIRY_MS) {
      issues.push({ path: field, message: 'must end at least 10s from now' });
      continue;
    }
    if (options.maxMs !== undefined && at - options.now > options.maxMs) {
      issues.push({
        path: field,
        message: `must end within the mesh's maximum for risky changes (${Math.round(
          options.maxMs / 60_000,
        )}m)`,
      });
      continue;
    }
    ends[part] = at;
  }
  return { ends, issues };
}
