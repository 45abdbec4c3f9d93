import { durationToMillis } from './duration';
import { IssueCollector, Path } from './issues';
import { checkDuration } from './routeRules';
import { CanaryAnalysis, TrafficIntent } from './schema';
import { WorkloadVersion } from './workloads';

/**
 * The default split a canary at its current step stands for, summed per version.
 *
 * @public
 */
export function canaryWeights(
  canary: NonNullable<TrafficIntent['canary']>,
): Record<string, number> {
  const candidate = canary.step === 0 ? 0 : canary.steps[canary.step - 1];
  return { [canary.baseline]: 100 - candidate, [canary.candidate]: candidate };
}

export function checkCanary(
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
  checkAnalysis(issues, [...at, 'analysis'], canary.analysis);
  if (canary.auto && !canary.analysis)
    issues.add(
      [...at, 'auto'],
      'an automatic canary needs an analysis to judge its steps by',
    );
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

/** Bounds that keep an analysis meaningful: Prometheus needs a few scrapes per window. */
export const ANALYSIS_INTERVAL_MS = { min: 5_000, max: 86_400_000 };

function checkAnalysis(
  issues: IssueCollector,
  at: Path,
  analysis: CanaryAnalysis | undefined,
) {
  if (!analysis) return;
  const before = issues.list.length;
  checkDuration(issues, [...at, 'interval'], analysis.interval);
  const ms = durationToMillis(analysis.interval);
  if (
    issues.list.length === before &&
    ms !== undefined &&
    (ms < ANALYSIS_INTERVAL_MS.min || ms > ANALYSIS_INTERVAL_MS.max)
  )
    issues.add([...at, 'interval'], 'must be between 5s and 24h');
  if (analysis.successRateMin === undefined && !analysis.latency)
    issues.add(at, 'name at least one check: successRateMin or latency');
  if (analysis.progressDeadline === undefined) return;
  const deadlineAt = [...at, 'progressDeadline'];
  const beforeDeadline = issues.list.length;
  checkDuration(issues, deadlineAt, analysis.progressDeadline);
  const deadline = durationToMillis(analysis.progressDeadline);
  if (
    issues.list.length === beforeDeadline &&
    deadline !== undefined &&
    ms !== undefined &&
    deadline < 2 * ms
  )
    issues.add(
      deadlineAt,
      `must be at least two intervals (${analysis.interval} each), so a step can be judged`,
    );
}

export function checkTrafficPolicy(
  issues: IssueCollector,
  intent: TrafficIntent,
) {
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
  checkLoadBalancer(issues, intent);
  checkLocality(issues, intent);
}

function checkLoadBalancer(issues: IssueCollector, intent: TrafficIntent) {
  const lb = intent.loadBalancer;
  if (!lb) return;
  if (lb.simple && lb.consistentHash)
    issues.add(
      ['loadBalancer'],
      'set simple or consistentHash, not both (Istio takes one policy)',
    );
  if (!lb.simple && !lb.consistentHash)
    issues.add(['loadBalancer'], 'set simple or consistentHash');
  const hash = lb.consistentHash;
  if (hash && Object.keys(hash).length !== 1)
    issues.add(
      ['loadBalancer', 'consistentHash'],
      'hash on exactly one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName',
    );
  checkDuration(
    issues,
    ['loadBalancer', 'consistentHash', 'httpCookie', 'ttl'],
    hash?.httpCookie?.ttl,
  );
}

function checkLocality(issues: IssueCollector, intent: TrafficIntent) {
  const locality = intent.locality;
  if (!locality) return;
  if (locality.distribute && intent.failover?.length)
    issues.add(
      ['locality', 'distribute'],
      'cannot be combined with failover: Istio takes distribute or failover',
    );
  (locality.distribute ?? []).forEach((rule, i) => {
    const total = Object.values(rule.to).reduce((a, b) => a + b, 0);
    if (total !== 100)
      issues.add(
        ['locality', 'distribute', i, 'to'],
        `weights must sum to 100 (they sum to ${total})`,
      );
  });
  if (locality.failoverPriority && !intent.outlierDetection)
    issues.add(
      ['locality', 'failoverPriority'],
      'failover by priority has no effect without outlierDetection; set outlierDetection too',
    );
}
