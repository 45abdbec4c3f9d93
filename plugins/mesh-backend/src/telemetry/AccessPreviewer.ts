import { InputError } from '@backstage/errors';
import {
  Access,
  AccessPreview,
  admissionOf,
  GraphEdge,
  MeshTarget,
  TurnedAwayCaller,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';
import { AccessChange } from '../plan/accessChange';
import { HostMetrics } from './HostMetrics';

/** How far back the preview looks for callers: long enough to see an hourly job's burst start. */
export const ACCESS_PREVIEW_WINDOW = '30m';

/** The confirmation that applies a policy whose effect on callers could not be seen. */
export const CONFIRM_UNSEEN = '*';

/** A caller's calls into one cluster, summed over the service's versions. */
interface Calls {
  cluster: string;
  caller: string;
  requestRate: number;
  principals: Set<string>;
  mtls: Set<string>;
}

function callsByCaller(inbound: GraphEdge[]): Calls[] {
  const out = new Map<string, Calls>();
  for (const edge of inbound) {
    const caller = `${edge.peer.namespace}/${edge.peer.service}`;
    const key = `${edge.self.cluster} ${caller}`;
    const calls = out.get(key) ?? {
      cluster: edge.self.cluster,
      caller,
      requestRate: 0,
      principals: new Set<string>(),
      mtls: new Set<string>(),
    };
    calls.requestRate += edge.requestRate;
    for (const p of edge.principals ?? []) calls.principals.add(p);
    if (edge.mtls) calls.mtls.add(edge.mtls);
    out.set(key, calls);
  }
  return [...out.values()];
}

/** How the access part treats one caller's calls, when it does not let all of them in. */
function turnedAway(
  calls: Calls,
  access: Access,
  trustDomain: string,
): TurnedAwayCaller | undefined {
  const principals = [...calls.principals].sort();
  const base = {
    cluster: calls.cluster,
    caller: calls.caller,
    principals,
    requestRate: calls.requestRate,
  };
  const plain = [...calls.mtls].some(m => m !== 'mutual_tls');
  if (!principals.length || plain)
    return {
      ...base,
      admission: 'denied',
      reason: principals.length
        ? 'some of its calls arrive without mutual TLS, so with no identity any rule could admit'
        : 'its calls arrive without mutual TLS, so with no identity any rule could admit',
    };
  const admissions = principals.map(p => admissionOf(access, p, trustDomain));
  if (admissions.every(a => a === 'admitted')) return undefined;
  const denied = admissions.includes('denied');
  return {
    ...base,
    admission: denied ? 'denied' : 'limited',
    reason: denied
      ? `no rule admits ${principals
          .filter((_, i) => admissions[i] === 'denied')
          .join(', ')}`
      : 'the rules that admit it allow only some methods or paths',
  };
}

/**
 * What a change of who may call the service would do to its callers, from the calls its proxies
 * received over the last half hour (one graph read of the mesh's Prometheus), and the gate that
 * applies it only once each caller it turns away is named. A cluster where the service runs but
 * that Prometheus has no telemetry from makes the callers unseen, not absent.
 */
export class AccessPreviewer {
  constructor(
    private readonly metrics: Pick<HostMetrics, 'graph' | 'reportingClusters'>,
  ) {}

  async preview(
    target: MeshTarget,
    mesh: MeshConfig,
    change: AccessChange,
  ): Promise<AccessPreview> {
    const window = ACCESS_PREVIEW_WINDOW;
    if (!change.access) return liftPreview(change);
    if (!mesh.prometheus)
      return {
        window,
        turnedAway: [],
        unavailable: `mesh ${mesh.id} names no Prometheus (mesh.meshes[].prometheus): the callers it would turn away cannot be seen`,
      };
    let inbound: GraphEdge[];
    let reporting: string[];
    try {
      [inbound, reporting] = await Promise.all([
        this.metrics.graph(target, window).then(g => g.inbound),
        this.metrics.reportingClusters(target, window),
      ]);
    } catch (e) {
      return {
        window,
        turnedAway: [],
        unavailable: `the callers could not be read from Prometheus: ${
          (e as Error).message
        }`,
      };
    }
    const blind = change.runsOn.filter(c => !reporting.includes(c));
    if (blind.length)
      return {
        window,
        turnedAway: [],
        unavailable: `Prometheus holds no telemetry from ${blind.join(
          ', ',
        )} over the last ${window}, where ${
          target.service
        } runs: its callers there cannot be seen`,
      };
    const access = change.access;
    return {
      window,
      turnedAway: callsByCaller(inbound)
        .map(c => turnedAway(c, access, mesh.trustDomain))
        .filter((c): c is TurnedAwayCaller => c !== undefined)
        .sort(
          (a, b) =>
            a.caller.localeCompare(b.caller) ||
            a.cluster.localeCompare(b.cluster),
        ),
    };
  }

  /**
   * Refuses (400) a change of access that turns away callers the request did not name in
   * `confirmDenied`, naming each with where and how much it calls; or one whose effect on callers
   * could not be seen, unless confirmed with `*`.
   */
  async confirm(
    target: MeshTarget,
    mesh: MeshConfig,
    change: AccessChange,
    confirmed: string[] = [],
  ) {
    const preview = await this.preview(target, mesh, change);
    if (preview.unavailable) {
      if (confirmed.includes(CONFIRM_UNSEEN)) return;
      throw new InputError(
        `confirmDenied: ${preview.unavailable}; to apply the change of access anyway, confirm with confirmDenied: ["${CONFIRM_UNSEEN}"]`,
      );
    }
    const missing = new Map<string, TurnedAwayCaller[]>();
    for (const c of preview.turnedAway) {
      if (confirmed.includes(c.caller)) continue;
      missing.set(c.caller, [...(missing.get(c.caller) ?? []), c]);
    }
    if (!missing.size) return;
    const named = [...missing.entries()].map(
      ([caller, where]) =>
        `${caller} (${where
          .map(
            w =>
              `${w.cluster}: ${w.requestRate.toFixed(2)} req/s, ${w.admission}`,
          )
          .join('; ')})`,
    );
    throw new InputError(
      `confirmDenied: this access part turns away callers seen over the last ${
        preview.window
      }: ${named.join(', ')}; name each in confirmDenied to apply it anyway`,
    );
  }
}

/**
 * Lifting the service's own policy lets everyone in, unless other ALLOW policies select its
 * workloads: then only what they admit gets in, which no telemetry can foretell.
 */
function liftPreview(change: AccessChange): AccessPreview {
  const window = ACCESS_PREVIEW_WINDOW;
  if (!change.otherAllowPolicies.length) return { window, turnedAway: [] };
  return {
    window,
    turnedAway: [],
    unavailable: `other ALLOW policies may select its workloads (${change.otherAllowPolicies.join(
      ', ',
    )}): once its own policy goes, only the callers they admit get in, and the callers only it admitted are answered 403`,
  };
}
