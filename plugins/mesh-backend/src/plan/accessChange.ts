import {
  Access,
  canonicalJson,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { LiveState } from '../read/LiveStateReader';

/** A change of who may call a service, with what else decides it, as a plan sees it. */
export interface AccessChange {
  /** The access part after the change; undefined when the change lifts it. */
  access?: Access;
  /** Other ALLOW policies that may select the service's workloads, `... on <cluster>`. */
  otherAllowPolicies: string[];
  /** The clusters where the service has ready pods: where its callers' calls are answered. */
  runsOn: string[];
}

/**
 * The change of who may call the service a new access part (none: lifted) makes against what the
 * clusters hold, when it makes one: against each reachable config cluster's own access part when they disagree, so a
 * cluster whose policy is lifted or replaced is never missed.
 */
export function accessChangeOf(
  live: LiveState,
  access: Access | undefined,
): AccessChange | undefined {
  const wanted = canonicalJson(access ?? null);
  const config = live.clusters.filter(c => c.isConfigCluster && c.reachable);
  const held = live.intent
    ? [live.intent.access ?? null]
    : config.map(c => c.intent?.access ?? null);
  if (held.every(h => canonicalJson(h) === wanted)) return undefined;
  return {
    ...(access ? { access } : {}),
    otherAllowPolicies: config.flatMap(c =>
      (c.otherAllowPolicies ?? []).map(p => `${p} on ${c.cluster}`),
    ),
    runsOn: live.clusters
      .filter(c => c.state.workloads.some(w => w.readyReplicas > 0))
      .map(c => c.cluster),
  };
}
