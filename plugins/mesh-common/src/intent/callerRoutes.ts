import { apportion } from './apportion';
import { Destination, TrafficIntent, TrafficRoute } from './schema';
import { WorkloadVersion } from './workloads';

/**
 * Routes that send a caller cluster's requests elsewhere are named after it: `from-east`.
 *
 * @public
 */
export const CALLER_ROUTE_PREFIX = 'from-';

const callerRouteName = (cluster: string) =>
  `${CALLER_ROUTE_PREFIX}${cluster.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

/**
 * The default split narrowed to one cluster: each of its versions that runs there, with the
 * cluster set, weights scaled back to 100. Empty when none of them runs there.
 *
 * @public
 */
export function splitOnCluster(
  split: Destination[],
  cluster: string,
  workloads: WorkloadVersion[],
): Destination[] {
  const there = split.filter(d =>
    workloads.some(
      w =>
        w.cluster === cluster && w.version === d.version && w.readyReplicas > 0,
    ),
  );
  const weights = apportion(
    100,
    there.map(d => d.weight),
  );
  return there
    .map((d, i) => ({ version: d.version, cluster, weight: weights[i] }))
    .filter(d => d.weight > 0);
}

/**
 * Which caller clusters are sent to which cluster, read back from the intent's routes.
 *
 * @public
 */
export function callerTargets(intent: TrafficIntent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of intent.routes ?? []) {
    const source = r.match.length === 1 ? r.match[0].sourceCluster : undefined;
    const clusters = new Set(r.split.map(d => d.cluster));
    const [target] = [...clusters];
    if (
      source &&
      r.name === callerRouteName(source) &&
      clusters.size === 1 &&
      target
    )
      out[source] = target;
  }
  return out;
}

/**
 * The intent with one route per caller cluster that is sent elsewhere (`sourceCluster` match, the
 * default split narrowed to the target cluster), ahead of the other routes; callers not listed
 * follow the default route. A target none of the split's versions runs on gets an empty split,
 * which validation names.
 *
 * @public
 */
export function withCallerTargets(
  intent: TrafficIntent,
  targets: Record<string, string>,
  workloads: WorkloadVersion[],
): TrafficIntent {
  const others = (intent.routes ?? []).filter(
    r => !r.name.startsWith(CALLER_ROUTE_PREFIX),
  );
  const callerRoutes: TrafficRoute[] = Object.entries(targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([source, target]) => ({
      name: callerRouteName(source),
      match: [{ sourceCluster: source }],
      split: splitOnCluster(intent.split, target, workloads),
    }));
  const routes = [...callerRoutes, ...others];
  const next: TrafficIntent = { ...intent };
  if (routes.length) next.routes = routes;
  else delete next.routes;
  return next;
}
