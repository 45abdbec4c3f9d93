const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};

/**
 * Milliseconds in an Istio duration string, or undefined when it is not one.
 * Istio keeps durations at millisecond precision and at least 1ms; callers check those bounds.
 *
 * @public
 */
export function durationToMillis(value: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(h|m|s|ms)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * Why a duration breaks Istio's rules, or undefined when it keeps them.
 *
 * @public
 */
export function durationProblem(value: string): string | undefined {
  const ms = durationToMillis(value);
  if (ms === undefined) return 'must be a duration such as 5s, 100ms, 1m or 1h';
  if (ms < 1) return 'must be at least 1ms';
  if (Math.abs(ms - Math.round(ms)) > 1e-9)
    return 'must have millisecond precision (e.g. 1500ms, not 1.0005s)';
  return undefined;
}
