import fc from 'fast-check';
import { GATEWAY_METHODS, gatewayPathProblem } from '../gateway/gatewayRules';
import {
  Destination,
  RouteMatch,
  StringMatch,
  TrafficIntent,
  TrafficRoute,
} from '../intent/schema';
import { validIntent } from './arbitraries';

/** A split by version only: weights of one version in several clusters added up. */
function byVersion(split: Destination[]): Destination[] {
  const weights = new Map<string, number>();
  for (const d of split)
    weights.set(d.version, (weights.get(d.version) ?? 0) + d.weight);
  return [...weights].map(([version, weight]) => ({ version, weight }));
}

const valueMatch = (m: StringMatch): StringMatch =>
  m.regex !== undefined ? m : { exact: m.exact || m.prefix || 'x' };

function pathMatch(m: StringMatch): StringMatch | undefined {
  const value = m.exact ?? m.prefix;
  if (value === undefined) return m;
  if (value === '/' || gatewayPathProblem(value)) return undefined;
  return m;
}

const named = (record: Record<string, StringMatch> | undefined) =>
  record &&
  Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, valueMatch(v)]),
  );

function gatewayMatch(m: RouteMatch): RouteMatch {
  const { sourceCluster: _source, uri, method, headers, queryParams } = m;
  const out: RouteMatch = {};
  const path = uri && pathMatch(uri);
  if (path) out.uri = path;
  if (headers) out.headers = named(headers);
  if (queryParams && Object.keys(queryParams).length)
    out.queryParams = named(queryParams);
  if (method)
    out.method = {
      exact: GATEWAY_METHODS.includes(method.exact ?? '')
        ? method.exact!
        : 'GET',
    };
  return Object.keys(out).length ? out : { uri: { prefix: '/api' } };
}

function gatewayPart<T extends Partial<TrafficRoute>>(part: T): T {
  const { fault: _fault, retries: _retries, mirror, ...rest } = part;
  return {
    ...rest,
    ...(part.split ? { split: byVersion(part.split) } : {}),
    ...(mirror
      ? {
          mirror: {
            version: mirror.version,
            percent: Math.max(1, Math.round(mirror.percent)),
          },
        }
      : {}),
  } as T;
}

/**
 * Valid intents with what Gateway API's standard channel cannot say taken out (faults, retries,
 * clusters, caller matches, header prefixes): the intents a mesh on Gateway API accepts.
 */
export const gatewayIntent: fc.Arbitrary<TrafficIntent> = validIntent.map(
  intent => {
    const out = gatewayPart(intent);
    if (intent.routes)
      out.routes = intent.routes.map(r => ({
        ...gatewayPart(r),
        match: r.match.map(gatewayMatch),
      }));
    return out;
  },
);
