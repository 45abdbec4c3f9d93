import { RE2JS } from 're2js';
import { ZodIssue } from 'zod';
import { durationProblem } from './duration';
import {
  Destination,
  Fault,
  INTENT_LIMITS,
  Mirror,
  Retries,
  RouteMatch,
  StringMatch,
  TrafficIntent,
  trafficIntentSchema,
} from './schema';
import { WorkloadVersion } from './workloads';
import { DEFAULT_ROUTE_NAME } from '../generate/metadata';
import { subsetName, subsetNameCollisions } from '../generate/subsets';

/** One problem with an intent, located by the path of the field that causes it. */
export interface IntentIssue {
  /** Dotted path with indices, e.g. `split[1].weight` or `routes[0].match[0].headers.x-canary.regex`. */
  path: string;
  message: string;
}

export type IntentValidation =
  | { ok: true; intent: TrafficIntent }
  | { ok: false; issues: IntentIssue[] };

/** Istio's `retryOn` vocabulary; numeric status codes are accepted besides these. */
export const RETRY_ON_VALUES = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

type Path = ReadonlyArray<string | number>;

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

class IssueCollector {
  readonly list: IntentIssue[] = [];
  add(path: Path, message: string) {
    this.list.push({ path: formatPath(path), message });
  }
}

/** Options for {@link validateIntent}. */
export interface ValidateIntentOptions {
  /**
   * The service's discovered workloads. When given, every version (and version x cluster) the
   * intent names must run somewhere; when omitted, only the intent's own consistency is checked.
   */
  workloads?: WorkloadVersion[];
}

/**
 * Checks an intent against its schema, Istio's own rules and the service's workloads, and reports
 * every problem at once, each with the path of the field that causes it.
 */
export function validateIntent(
  input: unknown,
  options: ValidateIntentOptions = {},
): IntentValidation {
  const parsed = trafficIntentSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map(zodIssue) };
  }
  const intent = parsed.data;
  const issues = new IssueCollector();
  const workloads = options.workloads;

  checkSplit(issues, ['split'], intent.split, workloads);
  checkFault(issues, ['fault'], intent.fault);
  checkDuration(issues, ['timeout'], intent.timeout);
  checkRetries(issues, ['retries'], intent.retries);
  checkMirror(issues, ['mirror'], intent.mirror, workloads);

  const routeNames = new Map<string, number>();
  (intent.routes ?? []).forEach((route, i) => {
    const at = ['routes', i];
    const earlier = routeNames.get(route.name);
    if (route.name === DEFAULT_ROUTE_NAME) {
      issues.add(
        [...at, 'name'],
        `"${DEFAULT_ROUTE_NAME}" names the catch-all route; choose another name`,
      );
    } else if (earlier !== undefined) {
      issues.add(
        [...at, 'name'],
        `duplicates the name of routes[${earlier}]; route names must be unique`,
      );
    } else {
      routeNames.set(route.name, i);
    }
    route.match.forEach((match, j) =>
      checkMatch(issues, [...at, 'match', j], match),
    );
    checkSplit(issues, [...at, 'split'], route.split, workloads);
    checkFault(issues, [...at, 'fault'], route.fault);
    checkDuration(issues, [...at, 'timeout'], route.timeout);
    checkRetries(issues, [...at, 'retries'], route.retries);
    checkMirror(issues, [...at, 'mirror'], route.mirror, workloads);
  });

  for (const [a, b] of subsetNameCollisions(intent)) {
    issues.add(
      ['split'],
      `${destinationKey(a)} and ${destinationKey(
        b,
      )} would share the subset name ${subsetName(a)}; rename a version`,
    );
  }
  checkCanary(issues, intent, workloads);
  checkTrafficPolicy(issues, intent);

  return issues.list.length
    ? { ok: false, issues: issues.list }
    : { ok: true, intent };
}

/** A zod issue as the API reports it: a dotted path and a message a person can act on. */
export function zodIssue(issue: ZodIssue): IntentIssue {
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown field${
      issue.keys.length > 1 ? 's' : ''
    }: ${issue.keys.join(', ')}`;
  } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    message = 'is required';
  }
  return { path: formatPath(issue.path), message };
}

function destinationKey(d: { version: string; cluster?: string }) {
  return d.cluster ? `${d.version}@${d.cluster}` : d.version;
}

function checkDestinationExists(
  issues: IssueCollector,
  at: Path,
  d: { version: string; cluster?: string },
  workloads: WorkloadVersion[] | undefined,
) {
  if (!workloads) return;
  const running = workloads.filter(w => w.version === d.version);
  if (running.length === 0) {
    const known = [...new Set(workloads.map(w => w.version))].sort();
    issues.add(
      [...at, 'version'],
      `version ${d.version} does not run anywhere in the mesh (running: ${
        known.join(', ') || 'none'
      })`,
    );
    return;
  }
  if (d.cluster && !running.some(w => w.cluster === d.cluster)) {
    const where = [...new Set(running.map(w => w.cluster))].sort();
    issues.add(
      [...at, 'cluster'],
      `version ${d.version} does not run in cluster ${
        d.cluster
      } (it runs in: ${where.join(', ')})`,
    );
  }
}

function checkSplit(
  issues: IssueCollector,
  at: Path,
  split: Destination[],
  workloads: WorkloadVersion[] | undefined,
) {
  const seen = new Map<string, number>();
  let sum = 0;
  split.forEach((d, i) => {
    sum += d.weight;
    const key = destinationKey(d);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      issues.add(
        [...at, i],
        `repeats the destination of ${formatPath([
          ...at,
          earlier,
        ])}; merge their weights`,
      );
    } else {
      seen.set(key, i);
    }
    checkDestinationExists(issues, [...at, i], d, workloads);
  });
  if (sum !== 100) {
    issues.add(at, `weights must sum to 100 (they sum to ${sum})`);
  }
}

function checkPercent(issues: IssueCollector, at: Path, value: number) {
  if (value !== 0 && (value < 0.0001 || value > 100)) {
    issues.add(at, 'must be 0 or between 0.0001 and 100');
  }
}

function checkFault(
  issues: IssueCollector,
  at: Path,
  fault: Fault | undefined,
) {
  if (!fault) return;
  if (!fault.delay && !fault.abort) {
    issues.add(at, 'needs a delay or an abort');
  }
  if (fault.delay) {
    checkDuration(issues, [...at, 'delay', 'fixed'], fault.delay.fixed);
    checkPercent(issues, [...at, 'delay', 'percent'], fault.delay.percent);
  }
  if (fault.abort) {
    if (fault.abort.httpStatus < 200 || fault.abort.httpStatus > 599) {
      issues.add(
        [...at, 'abort', 'httpStatus'],
        'must be an HTTP status between 200 and 599',
      );
    }
    checkPercent(issues, [...at, 'abort', 'percent'], fault.abort.percent);
  }
}

function checkDuration(
  issues: IssueCollector,
  at: Path,
  value: string | undefined,
) {
  if (value === undefined) return;
  const problem = durationProblem(value);
  if (problem) issues.add(at, problem);
}

function checkRetries(
  issues: IssueCollector,
  at: Path,
  retries: Retries | undefined,
) {
  if (!retries) return;
  if (
    retries.attempts === 0 &&
    (retries.perTryTimeout !== undefined || retries.retryOn !== undefined)
  ) {
    issues.add(
      at,
      'with attempts 0 (retries off), perTryTimeout and retryOn must be left out',
    );
  }
  checkDuration(issues, [...at, 'perTryTimeout'], retries.perTryTimeout);
  (retries.retryOn ?? []).forEach((value, i) => {
    const known = (RETRY_ON_VALUES as readonly string[]).includes(value);
    if (!known && !/^[1-5][0-9][0-9]$/.test(value)) {
      issues.add(
        [...at, 'retryOn', i],
        `${value} is not one of Istio's retryOn values or an HTTP status code`,
      );
    }
  });
}

function checkMirror(
  issues: IssueCollector,
  at: Path,
  mirror: Mirror | undefined,
  workloads: WorkloadVersion[] | undefined,
) {
  if (!mirror) return;
  if (!(mirror.percent > 0 && mirror.percent <= 100)) {
    issues.add([...at, 'percent'], 'must be more than 0 and at most 100');
  }
  checkDestinationExists(issues, at, mirror, workloads);
}

/** Null when the pattern is valid RE2, else the parser's complaint. */
export function re2Problem(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function checkStringMatch(
  issues: IssueCollector,
  at: Path,
  match: StringMatch,
) {
  const set = (['exact', 'prefix', 'regex'] as const).filter(
    k => match[k] !== undefined,
  );
  if (set.length !== 1) {
    issues.add(
      at,
      `needs exactly one of exact, prefix or regex${
        set.length ? ` (has ${set.join(' and ')})` : ''
      }`,
    );
    return;
  }
  if (match.regex !== undefined) {
    if (match.regex.length === 0) {
      issues.add([...at, 'regex'], 'must not be empty');
    } else {
      const problem = re2Problem(match.regex);
      if (problem)
        issues.add(
          [...at, 'regex'],
          `is not a valid RE2 regular expression: ${problem}`,
        );
    }
  }
}

function checkMatch(issues: IssueCollector, at: Path, match: RouteMatch) {
  const headers = Object.entries(match.headers ?? {});
  if (match.headers && !headers.length) {
    issues.add(
      [...at, 'headers'],
      'must name at least one header, or be left out',
    );
  }
  if (!headers.length && !match.uri && !match.method && !match.sourceCluster) {
    issues.add(
      at,
      'needs at least one condition (headers, uri, method or sourceCluster)',
    );
  }
  if (headers.length > INTENT_LIMITS.headersPerMatch) {
    issues.add(
      [...at, 'headers'],
      `has ${headers.length} headers; at most ${INTENT_LIMITS.headersPerMatch}`,
    );
  }
  for (const [name, value] of headers)
    checkStringMatch(issues, [...at, 'headers', name], value);
  if (match.uri) checkStringMatch(issues, [...at, 'uri'], match.uri);
  if (match.method) checkStringMatch(issues, [...at, 'method'], match.method);
}

/** The default split a canary at its current step stands for, summed per version. */
export function canaryWeights(
  canary: NonNullable<TrafficIntent['canary']>,
): Record<string, number> {
  const candidate = canary.step === 0 ? 0 : canary.steps[canary.step - 1];
  return { [canary.baseline]: 100 - candidate, [canary.candidate]: candidate };
}

function checkCanary(
  issues: IssueCollector,
  intent: TrafficIntent,
  workloads: WorkloadVersion[] | undefined,
) {
  const canary = intent.canary;
  if (!canary) return;
  const at = ['canary'];
  if (canary.baseline === canary.candidate) {
    issues.add([...at, 'candidate'], 'must differ from the baseline');
  }
  for (const role of ['baseline', 'candidate'] as const) {
    if (workloads && !workloads.some(w => w.version === canary[role])) {
      issues.add(
        [...at, role],
        `version ${canary[role]} does not run anywhere in the mesh`,
      );
    }
  }
  canary.steps.forEach((s, i) => {
    if (i > 0 && s <= canary.steps[i - 1]) {
      issues.add([...at, 'steps', i], 'steps must increase');
    }
  });
  if (canary.step > canary.steps.length) {
    issues.add(
      [...at, 'step'],
      `must be between 0 and ${canary.steps.length} (the number of steps)`,
    );
    return;
  }
  const expected = canaryWeights(canary);
  const actual: Record<string, number> = {};
  for (const d of intent.split)
    actual[d.version] = (actual[d.version] ?? 0) + d.weight;
  const consistent =
    Object.keys(actual).every(v => v in expected) &&
    Object.entries(expected).every(([v, w]) => (actual[v] ?? 0) === w);
  if (!consistent) {
    const want = Object.entries(expected)
      .map(([v, w]) => `${v} ${w}`)
      .join(' / ');
    issues.add(
      ['split'],
      `does not match the canary at step ${canary.step}: expected ${want}`,
    );
  }
}

function checkTrafficPolicy(issues: IssueCollector, intent: TrafficIntent) {
  const pool = intent.connectionPool;
  checkDuration(
    issues,
    ['connectionPool', 'tcp', 'connectTimeout'],
    pool?.tcp?.connectTimeout,
  );
  checkDuration(
    issues,
    ['connectionPool', 'http', 'idleTimeout'],
    pool?.http?.idleTimeout,
  );
  const od = intent.outlierDetection;
  checkDuration(issues, ['outlierDetection', 'interval'], od?.interval);
  checkDuration(
    issues,
    ['outlierDetection', 'baseEjectionTime'],
    od?.baseEjectionTime,
  );
  if (intent.failover?.length && !od) {
    issues.add(
      ['failover'],
      'locality failover has no effect without outlierDetection; set outlierDetection too',
    );
  }
  (intent.failover ?? []).forEach((f, i) => {
    if (f.from === f.to)
      issues.add(['failover', i, 'to'], 'must differ from "from"');
  });
}
