import { RE2JS } from 're2js';
import { durationProblem } from './duration';
import { formatPath, IssueCollector, Path } from './issues';
import {
  Destination,
  Fault,
  INTENT_LIMITS,
  Mirror,
  Retries,
  RouteMatch,
  StringMatch,
} from './schema';
import { WorkloadVersion } from './workloads';

/**
 * Istio's `retryOn` vocabulary; numeric status codes are accepted besides these.
 *
 * @public
 */
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

export function destinationKey(d: { version: string; cluster?: string }) {
  return d.cluster ? `${d.version}@${d.cluster}` : d.version;
}

export function checkDestinationExists(
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

/**
 * Traffic sent to a version with no ready pods where it routes (the named cluster, or anywhere
 * for a version-wide subset) would fail with 503s: refused, naming version and cluster.
 */
function checkReady(
  issues: IssueCollector,
  at: Path,
  d: Destination,
  workloads: WorkloadVersion[] | undefined,
) {
  const running = (workloads ?? []).filter(
    w => w.version === d.version && (!d.cluster || w.cluster === d.cluster),
  );
  if (!running.length || running.some(w => w.readyReplicas > 0)) return;
  issues.add(
    [...at, 'weight'],
    `sends ${d.weight}% to ${d.version}${
      d.cluster ? ` on cluster ${d.cluster}` : ''
    }, which has no ready pods ${
      d.cluster ? 'there' : 'on any cluster'
    }; scale it up or give it weight 0`,
  );
}

export function checkSplit(
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
    if (d.weight > 0) checkReady(issues, [...at, i], d, workloads);
  });
  if (sum !== 100) {
    issues.add(at, `weights must sum to 100 (they sum to ${sum})`);
  }
}

export function checkPercent(issues: IssueCollector, at: Path, value: number) {
  if (value !== 0 && (value < 0.0001 || value > 100)) {
    issues.add(at, 'must be 0 or between 0.0001 and 100');
  }
}

export function checkFault(
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

export function checkDuration(
  issues: IssueCollector,
  at: Path,
  value: string | undefined,
) {
  if (value === undefined) return;
  const problem = durationProblem(value);
  if (problem) issues.add(at, problem);
}

export function checkRetries(
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

export function checkMirror(
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

/**
 * Null when the pattern is valid RE2, else the parser's complaint.
 *
 * @public
 */
export function re2Problem(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function checkStringMatch(
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

export function checkMatch(
  issues: IssueCollector,
  at: Path,
  match: RouteMatch,
) {
  const headers = Object.entries(match.headers ?? {});
  if (match.headers && !headers.length) {
    issues.add(
      [...at, 'headers'],
      'must name at least one header, or be left out',
    );
  }
  const params = Object.entries(match.queryParams ?? {});
  if (
    !headers.length &&
    !params.length &&
    !match.uri &&
    !match.method &&
    !match.sourceCluster
  ) {
    issues.add(
      at,
      'needs at least one condition (headers, uri, method, queryParams or sourceCluster)',
    );
  }
  for (const [name, value] of params) {
    checkStringMatch(issues, [...at, 'queryParams', name], value);
    if (value.prefix !== undefined)
      issues.add(
        [...at, 'queryParams', name, 'prefix'],
        'Istio matches query parameters exactly or by regex, not by prefix',
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
