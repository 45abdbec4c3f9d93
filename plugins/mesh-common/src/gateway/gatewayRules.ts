import { IssueCollector, Path } from '../intent/issues';
import {
  Destination,
  Fault,
  Mirror,
  Retries,
  RouteMatch,
  StringMatch,
  TrafficIntent,
} from '../intent/schema';

/**
 * HTTPRoute's limits (v1.5.1): 16 rules (ours: the routes and the default), 16 backends, 128 matches in all.
 *
 * @public
 */
export const GATEWAY_LIMITS = { rules: 16, backendRefs: 16, matches: 128 };

/**
 * The methods an HTTPRouteMatch takes.
 *
 * @public
 */
export const GATEWAY_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
];

/** A Gateway API duration as this product writes it: one whole number and a unit. */
const GATEWAY_DURATION = /^[0-9]{1,5}(h|m|s|ms)$/;
/** Header and query parameter names (RFC 7230 tokens), as the CRD's pattern has them. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** The characters an Exact or PathPrefix path may hold, as the CRD's CEL rule has them. */
const PATH_CHARACTERS =
  /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

const API = 'Gateway API (this mesh’s routingApi)';

/**
 * Why an Exact or PathPrefix path breaks Gateway API's rules, if it does.
 *
 * @public
 */
export function gatewayPathProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must be an absolute path starting with /';
  const forbidden = ['//', '/./', '/../', '%2f', '%2F', '#'].find(s =>
    value.includes(s),
  );
  if (forbidden) return `must not contain ${forbidden}`;
  if (value.endsWith('/..') || value.endsWith('/.'))
    return 'must not end with /. or /..';
  if (!PATH_CHARACTERS.test(value))
    return 'holds characters a URL path cannot (percent-encode them)';
  return undefined;
}

function checkPath(issues: IssueCollector, at: Path, uri: StringMatch) {
  if (uri.prefix === '/') {
    issues.add(
      [...at, 'prefix'],
      `matches every path, which ${API} writes as no uri condition: leave uri out`,
    );
    return;
  }
  const value = uri.exact ?? uri.prefix;
  const problem = value === undefined ? undefined : gatewayPathProblem(value);
  if (problem)
    issues.add(
      [...at, uri.exact !== undefined ? 'exact' : 'prefix'],
      `${API}: a path ${problem}`,
    );
}

function checkNamedValues(
  issues: IssueCollector,
  at: Path,
  what: 'header' | 'query parameter',
  record: Record<string, StringMatch> | undefined,
) {
  for (const [name, value] of Object.entries(record ?? {})) {
    if (value.prefix !== undefined)
      issues.add(
        [...at, name, 'prefix'],
        `${API} matches a ${what} exactly or by regular expression, not by prefix`,
      );
    if (value.exact === '')
      issues.add(
        [...at, name, 'exact'],
        `${API} matches a ${what} against a non-empty value`,
      );
    if (!TOKEN.test(name))
      issues.add(
        [...at, name],
        `${API} takes ${what} names of token characters only`,
      );
  }
}

function checkMatch(issues: IssueCollector, at: Path, match: RouteMatch) {
  if (match.sourceCluster !== undefined)
    issues.add(
      [...at, 'sourceCluster'],
      `${API} matches requests, not the cluster they come from: use a mesh on Istio's API for caller-cluster routes`,
    );
  if (match.uri) checkPath(issues, [...at, 'uri'], match.uri);
  checkNamedValues(issues, [...at, 'headers'], 'header', match.headers);
  checkNamedValues(
    issues,
    [...at, 'queryParams'],
    'query parameter',
    match.queryParams,
  );
  if (match.method && !GATEWAY_METHODS.includes(match.method.exact ?? ''))
    issues.add(
      [...at, 'method'],
      `${API} matches a method exactly, one of ${GATEWAY_METHODS.join(', ')}`,
    );
}

function checkDestinations(
  issues: IssueCollector,
  at: Path,
  split: Destination[],
) {
  if (split.length > GATEWAY_LIMITS.backendRefs)
    issues.add(
      at,
      `${API} takes at most ${GATEWAY_LIMITS.backendRefs} backends in a rule`,
    );
  split.forEach((d, i) => {
    if (d.cluster !== undefined)
      issues.add(
        [...at, i, 'cluster'],
        `${API} sends to a version's Service, which selects its pods in every cluster: a destination cannot be narrowed to one cluster`,
      );
  });
}

/** The checks every part with a split makes: destinations, fault, retries, mirror, timeout. */
function checkPart(
  issues: IssueCollector,
  at: Path,
  part: {
    split: Destination[];
    fault?: Fault;
    retries?: Retries;
    mirror?: Mirror;
    timeout?: string;
  },
) {
  checkDestinations(issues, [...at, 'split'], part.split);
  if (part.fault)
    issues.add(
      [...at, 'fault'],
      `${API}'s standard channel has no fault injection: use a mesh on Istio's API to inject faults`,
    );
  if (part.retries)
    issues.add(
      [...at, 'retries'],
      `HTTPRoute retries are not in ${API}'s standard channel: use a mesh on Istio's API to set retries`,
    );
  if (part.mirror?.cluster !== undefined)
    issues.add(
      [...at, 'mirror', 'cluster'],
      `${API} mirrors to a version's Service, which selects its pods in every cluster: a mirror cannot be narrowed to one cluster`,
    );
  if (part.mirror && !Number.isInteger(part.mirror.percent))
    issues.add(
      [...at, 'mirror', 'percent'],
      `${API} mirrors a whole percentage of requests`,
    );
  if (part.timeout !== undefined && !GATEWAY_DURATION.test(part.timeout))
    issues.add(
      [...at, 'timeout'],
      `${API} writes durations as whole numbers of h, m, s or ms (1500ms, not 1.5s)`,
    );
}

/**
 * What an intent asks that Gateway API's standard channel cannot express, each with the path of
 * the field and why: the refusals of a mesh whose routingApi is `gateway-api`.
 *
 * @public
 */
export function checkGatewayApi(issues: IssueCollector, intent: TrafficIntent) {
  const routes = intent.routes ?? [];
  const at = (i: number): Path => (i < 0 ? [] : ['routes', i]);
  checkPart(issues, at(-1), intent);
  routes.forEach((route, i) => {
    checkPart(issues, at(i), route);
    route.match.forEach((m, j) =>
      checkMatch(issues, [...at(i), 'match', j], m),
    );
  });
  if (routes.length + 1 > GATEWAY_LIMITS.rules)
    issues.add(
      ['routes'],
      `${API} takes at most ${GATEWAY_LIMITS.rules} rules: ${
        GATEWAY_LIMITS.rules - 1
      } routes and the default`,
    );
  const matches = routes.reduce((n, r) => n + r.match.length, 1);
  if (matches > GATEWAY_LIMITS.matches)
    issues.add(
      ['routes'],
      `${API} takes at most ${GATEWAY_LIMITS.matches} matches in a route table; these routes have ${matches}`,
    );
}
