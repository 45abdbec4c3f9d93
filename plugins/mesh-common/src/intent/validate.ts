import { DEFAULT_ROUTE_NAME } from '../generate/metadata';
import type { RoutingApi } from '../entity/target';
import { checkGatewayApi } from '../gateway/gatewayRules';
import { subsetName, subsetNameCollisions } from '../generate/subsets';
import { IntentIssue, IssueCollector, zodIssue } from './issues';
import { checkAccess } from './accessRules';
import { checkCanary, checkTrafficPolicy } from './policyRules';
import {
  checkDuration,
  checkFault,
  checkMatch,
  checkMirror,
  checkRetries,
  checkSplit,
  destinationKey,
} from './routeRules';
import { TrafficIntent, trafficIntentSchema } from './schema';
import { WorkloadVersion } from './workloads';

export { formatPath, zodIssue } from './issues';
export type { IntentIssue } from './issues';
export { RETRY_ON_VALUES, re2Problem } from './routeRules';
export { canaryWeights } from './policyRules';

/** @public */
export type IntentValidation =
  | { ok: true; intent: TrafficIntent }
  | { ok: false; issues: IntentIssue[] };

/**
 * Options for {@link validateIntent}.
 *
 * @public
 */
export interface ValidateIntentOptions {
  /**
   * The service's discovered workloads. When given, every version (and version x cluster) the
   * intent names must run somewhere; when omitted, only the intent's own consistency is checked.
   */
  workloads?: WorkloadVersion[];
  /** The mesh's routing API: with `gateway-api`, what Gateway API's standard channel cannot express is refused too. */
  routingApi?: RoutingApi;
  /** The mesh's trust domain, which service accounts' principals carry; `cluster.local` when unset. */
  trustDomain?: string;
}

/**
 * Checks an intent against its schema, Istio's own rules and the service's workloads, and reports
 * every problem at once, each with the path of the field that causes it.
 *
 * @public
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
  checkAccess(issues, intent.access, options.trustDomain);
  if (options.routingApi === 'gateway-api') checkGatewayApi(issues, intent);

  return issues.list.length
    ? { ok: false, issues: issues.list }
    : { ok: true, intent };
}
