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
 * What a new access part would do to the service's callers, from the calls its proxies received
 * over the last half hour (one graph read of the mesh's Prometheus), and the gate that applies it
 * only once each caller it turns away is named.
 */
export class AccessPreviewer {
  constructor(private readonly metrics: Pick<HostMetrics, 'graph'>) {}

  async preview(
    target: MeshTarget,
    mesh: MeshConfig,
    access: Access,
  ): Promise<AccessPreview> {
    const window = ACCESS_PREVIEW_WINDOW;
    if (!mesh.prometheus)
      return {
        window,
        turnedAway: [],
        unavailable: `mesh ${mesh.id} names no Prometheus (mesh.meshes[].prometheus): the callers it would turn away cannot be seen`,
      };
    let inbound: GraphEdge[];
    try {
      inbound = (await this.metrics.graph(target, window)).inbound;
    } catch (e) {
      return {
        window,
        turnedAway: [],
        unavailable: `the callers could not be read from Prometheus: ${
          (e as Error).message
        }`,
      };
    }
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
   * Refuses (400) an access part that turns away callers the request did not name in
   * `confirmDenied`, naming each with where and how much it calls; or one whose callers could not
   * be seen, unless confirmed with `*`.
   */
  async confirm(
    target: MeshTarget,
    mesh: MeshConfig,
    access: Access,
    confirmed: string[] = [],
  ) {
    const preview = await this.preview(target, mesh, access);
    if (preview.unavailable) {
      if (confirmed.includes(CONFIRM_UNSEEN)) return;
      throw new InputError(
        `confirmDenied: ${preview.unavailable}; to apply the access part anyway, confirm with confirmDenied: ["${CONFIRM_UNSEEN}"]`,
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
