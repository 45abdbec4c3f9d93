import { authorize } from './authorization';
import { IstioMetrics, Labels } from './exposition';
import {
  Endpoint,
  fqdn,
  routeMirror,
  routeShares,
  RouteShare,
} from './routing';

type KubeObject = Record<string, any>;

/** A workload's app and version, by the plain labels or the app.kubernetes.io ones. */
const appOf = (labels: Record<string, string> | undefined) =>
  labels?.app ?? labels?.['app.kubernetes.io/name'];
const versionOf = (labels: Record<string, string> | undefined) =>
  labels?.version ?? labels?.['app.kubernetes.io/version'];

/** How a version of a service behaves: its share of failed requests and its latency. */
export interface Behaviour {
  errorRate: number;
  latencyMs: { p50: number; p99: number };
}

/** Which workloads a behaviour is for: a version everywhere, or on one cluster only. */
export interface BehaviourScope {
  namespace: string;
  service: string;
  version: string;
  cluster?: string;
}

/**
 * The SPIFFE identity Istio gives a workload: its service account (the sandbox names each after
 * its service) in the mesh's trust domain.
 */
export const principalOf = (namespace: string, service: string) =>
  `spiffe://cluster.local/ns/${namespace}/sa/${service}`;

const behaviourKey = (s: BehaviourScope) =>
  `${s.namespace}/${s.service}/${s.version}${s.cluster ? `@${s.cluster}` : ''}`;

export const DEFAULT_BEHAVIOUR: Behaviour = {
  errorRate: 0,
  latencyMs: { p50: 20, p99: 120 },
};

/** A service that calls others, from the versions given (all when omitted). */
export interface Caller {
  namespace: string;
  service: string;
  versions?: string[];
  calls: string[];
}

/** The demo's call graph: productpage calls reviews and details; reviews v2 and v3 call ratings. */
export const BOOKINFO_CALLS: Caller[] = [
  {
    namespace: 'bookinfo',
    service: 'productpage',
    calls: ['reviews', 'details'],
  },
  {
    namespace: 'bookinfo',
    service: 'reviews',
    versions: ['v2', 'v3'],
    calls: ['ratings'],
  },
];

/** What the model reads of each cluster: its routing objects and its Deployments. */
export interface ClusterView {
  name: string;
  /** The cluster whose routing objects configure this one's proxies (itself for a primary). */
  configCluster: string;
  virtualServices(): KubeObject[];
  destinationRules(): KubeObject[];
  /** Gateway API's HTTPRoutes and the Services their backends name (none when not given). */
  httpRoutes?(): KubeObject[];
  services?(): KubeObject[];
  /** Istio's AuthorizationPolicies, which the destination's proxies enforce (none when not given). */
  authorizationPolicies?(): KubeObject[];
  deployments(): KubeObject[];
}

/**
 * What the model's requests are, as an AuthorizationPolicy's operation sees them: a caller's GET
 * of the callee's root. A rule limited to other methods or paths does not admit them.
 */
export const MODEL_REQUEST = { method: 'GET', path: '/' };

/** A small seeded generator (mulberry32): the same seed, the same traffic. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mesh's traffic, second by second: every caller's ready replicas send requests at a steady
 * rate, each routed by the objects that configure the caller's cluster, answered by the
 * destination version as its behaviour says. Recorded as Istio's Envoys report it, once by the
 * source and once by the destination.
 */
export class TrafficModel {
  readonly metrics = new IstioMetrics();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly random: () => number;
  private elapsedSeconds = 0;

  constructor(
    private readonly clusters: ClusterView[],
    private readonly options: {
      seed?: number;
      requestsPerReplicaPerSecond?: number;
      callers?: Caller[];
    } = {},
  ) {
    this.random = seeded(options.seed ?? 1);
  }

  /** Sets part of a behaviour; a cluster's own behaviour starts from the version's. */
  setBehaviour(scope: BehaviourScope, behaviour: Partial<Behaviour>) {
    this.behaviours.set(behaviourKey(scope), {
      ...this.behaviourOf(scope),
      ...behaviour,
    });
  }

  /** The behaviour on a cluster: its own if set, else the version's, else the default. */
  behaviourOf(scope: BehaviourScope): Behaviour {
    return (
      this.behaviours.get(behaviourKey(scope)) ??
      this.behaviours.get(behaviourKey({ ...scope, cluster: undefined })) ??
      DEFAULT_BEHAVIOUR
    );
  }

  /** Every behaviour set, by scope. */
  behaviourList(): Array<BehaviourScope & Behaviour> {
    return [...this.behaviours.entries()].map(([key, b]) => {
      const [path, cluster] = key.split('@');
      const [namespace, service, version] = path.split('/');
      return {
        namespace,
        service,
        version,
        ...(cluster ? { cluster } : {}),
        ...b,
      };
    });
  }

  get seconds() {
    return this.elapsedSeconds;
  }

  /** Simulates the next `seconds` of traffic. */
  advance(seconds: number) {
    for (let s = 0; s < seconds; s++) {
      this.elapsedSeconds += 1;
      for (const caller of this.options.callers ?? BOOKINFO_CALLS)
        this.tick(caller);
    }
  }

  /** The series a cluster's proxies report: as the source of requests from it, as the destination of requests to it. */
  text(cluster: string): string {
    return this.metrics.text(
      l =>
        (l.reporter === 'source' ? l.source_cluster : l.destination_cluster) ===
        cluster,
    );
  }

  private tick(caller: Caller) {
    const rate = this.options.requestsPerReplicaPerSecond ?? 10;
    for (const from of this.endpoints(caller.namespace, caller.service)) {
      if (caller.versions && !caller.versions.includes(from.version)) continue;
      const view = this.clusters.find(c => c.name === from.cluster)!;
      const config =
        this.clusters.find(c => c.name === view.configCluster) ?? view;
      for (const callee of caller.calls) {
        const objects = {
          virtualServices: config.virtualServices(),
          destinationRules: config.destinationRules(),
          httpRoutes: config.httpRoutes?.() ?? [],
          services: config.services?.() ?? [],
        };
        const endpoints = this.endpoints(caller.namespace, callee);
        const shares = routeShares(
          callee,
          caller.namespace,
          objects,
          endpoints,
        );
        const mirror = routeMirror(
          callee,
          caller.namespace,
          objects,
          endpoints,
        );
        for (let i = 0; i < rate * from.ready; i++) {
          this.request(caller, from, callee, pick(shares, this.random()));
          if (mirror && this.random() < mirror.fraction)
            this.request(
              caller,
              from,
              callee,
              pick(mirror.shares, this.random()),
              true,
            );
        }
      }
    }
  }

  private request(
    caller: Caller,
    from: Endpoint,
    callee: string,
    to: RouteShare,
    mirrored = false,
  ) {
    const ns = caller.namespace;
    const base: Labels = {
      source_workload: `${caller.service}-${from.version}`,
      source_workload_namespace: ns,
      source_canonical_service: caller.service,
      source_canonical_revision: from.version,
      source_version: from.version,
      source_cluster: from.cluster,
      // Through an HTTPRoute, Envoy's cluster (and so the label) is the backend Service's.
      destination_service: to.service ?? fqdn(callee, ns),
      destination_service_name: to.service?.split('.')[0] ?? callee,
      destination_service_namespace: ns,
      destination_canonical_service: callee,
      request_protocol: 'http',
    };
    if (to.localStatus) {
      const labels = {
        ...base,
        reporter: 'source',
        destination_workload: 'unknown',
        destination_workload_namespace: 'unknown',
        destination_canonical_revision: 'unknown',
        destination_version: 'unknown',
        destination_cluster: 'unknown',
        response_code: String(to.localStatus),
        response_flags: to.responseFlags!,
        connection_security_policy: 'unknown',
        source_principal: 'unknown',
        destination_principal: 'unknown',
      };
      this.metrics.record(labels, this.random());
      return;
    }
    const behaviour = this.behaviourOf({
      namespace: ns,
      service: callee,
      version: to.version!,
      cluster: to.cluster,
    });
    // The destination's proxy refuses a caller no policy admits before the app sees it.
    const forbidden = !this.admits(ns, callee, to, caller.service);
    const failed = !forbidden && this.random() < behaviour.errorRate;
    const duration = forbidden
      ? 1
      : latency(behaviour, this.random(), this.random()) + (to.delayMs ?? 0);
    const destination = {
      ...base,
      destination_workload: `${callee}-${to.version}`,
      destination_workload_namespace: ns,
      destination_canonical_revision: to.version!,
      destination_version: to.version!,
      destination_cluster: to.cluster!,
      response_code: statusOf(forbidden, failed),
      response_flags: failed ? 'URX' : to.responseFlags ?? '-',
    };
    // A mirrored copy's answer is dropped by the caller's Envoy: only the shadow reports it.
    if (!mirrored)
      this.metrics.record(
        {
          ...destination,
          reporter: 'source',
          connection_security_policy: 'unknown',
          // The caller's proxy reports its own certificate's identity and the callee's it verified.
          source_principal: principalOf(ns, caller.service),
          destination_principal: principalOf(ns, callee),
        },
        duration,
      );
    this.metrics.record(
      {
        ...destination,
        reporter: 'destination',
        connection_security_policy: 'mutual_tls',
        source_principal: principalOf(ns, caller.service),
        destination_principal: principalOf(ns, callee),
        response_flags: failed ? '-' : destination.response_flags,
      },
      duration - (to.delayMs ?? 0),
    );
  }

  /**
   * Whether the policies configuring the destination's cluster let the caller's workload in, as
   * its sidecar judges it: by the caller's identity (the model's callers are all on mutual TLS).
   */
  private admits(
    namespace: string,
    callee: string,
    to: RouteShare,
    caller: string,
  ): boolean {
    const view = this.clusters.find(c => c.name === to.cluster);
    if (!view) return true;
    const config =
      this.clusters.find(c => c.name === view.configCluster) ?? view;
    const policies = config.authorizationPolicies?.() ?? [];
    if (!policies.length) return true;
    return authorize(
      policies,
      { namespace, labels: { app: callee, version: to.version! } },
      {
        principal: principalOf(namespace, caller).replace(/^spiffe:\/\//, ''),
        ...MODEL_REQUEST,
      },
    );
  }

  /** A service's endpoints across the mesh: its Deployments' versions and ready replicas per cluster. */
  private endpoints(namespace: string, service: string): Endpoint[] {
    return this.clusters.flatMap(c =>
      c
        .deployments()
        .filter(
          d =>
            d.metadata?.namespace === namespace &&
            appOf(d.metadata?.labels) === service &&
            versionOf(d.metadata?.labels),
        )
        .map(d => ({
          version: versionOf(d.metadata.labels)!,
          cluster: c.name,
          ready: d.status?.readyReplicas ?? 0,
        })),
    );
  }
}

/** What the destination answers: 403 when its proxy refused the caller, 503 when the app failed. */
function statusOf(forbidden: boolean, failed: boolean): string {
  if (forbidden) return '403';
  return failed ? '503' : '200';
}

/** The share a uniform draw falls in. */
function pick(shares: RouteShare[], u: number): RouteShare {
  let acc = 0;
  for (const s of shares) {
    acc += s.share;
    if (u < acc) return s;
  }
  return shares[shares.length - 1];
}

/** A log-normal latency with the behaviour's median and 99th percentile (Box-Muller from two draws). */
function latency(b: Behaviour, u1: number, u2: number): number {
  const mu = Math.log(b.latencyMs.p50);
  const sigma = (Math.log(b.latencyMs.p99) - mu) / 2.326;
  const z =
    Math.sqrt(-2 * Math.log(u1 || Number.MIN_VALUE)) *
    Math.cos(2 * Math.PI * u2);
  return Math.exp(mu + sigma * z);
}
