import { z } from 'zod';
import {
  ApplyRequestBody,
  onboardingTargetSchema,
  PlanRequestBody,
  RollbackRequestBody,
} from './requests';
import { IntentIssue } from '../intent/validate';
import { Destination, TrafficIntent } from '../intent/schema';
import { WorkloadVersion } from '../intent/workloads';
import { ClusterRole } from '../placement/topology';
import { MeshKind } from '../placement/placement';
import { ClassifiedObject, HandEdit } from '../parse/classify';
import { RoutingObject } from '../generate/istioTypes';
import { RoutingApi } from '../entity/target';
import type { RolloutState } from './rollout';

/**
 * `GET /clusters`: what the portal may know of a cluster. Never an address or a credential.
 *
 * @public
 */
export interface ClusterSummary {
  name: string;
  title?: string;
  mesh: string;
  role: ClusterRole;
  network?: string;
  region?: string;
  reachable: boolean;
  /** Why a cluster is not reachable, without any credential material. */
  error?: string;
}

/** @public */
export interface MeshSummary {
  id: string;
  kind: MeshKind;
  configClusters: string[];
  /** How the mesh writes an intent: Istio's VirtualService and DestinationRule, or Gateway API's HTTPRoute. */
  routingApi: RoutingApi;
  /** The trust domain of its workload identities: what an access rule's service accounts become principals in. */
  trustDomain?: string;
}

/** @public */
export interface ClustersResponse {
  meshes: MeshSummary[];
  clusters: ClusterSummary[];
}

/** @public */
export interface ClusterState {
  cluster: string;
  role: ClusterRole;
  reachable: boolean;
  error?: string;
  isConfigCluster: boolean;
  workloads: WorkloadVersion[];
  routing: ClassifiedObject[];
  /** The intent this entity's objects on this cluster express (config clusters, when they are ours and unchanged). */
  intent?: TrafficIntent;
  /** When they were edited by hand: the intent they express now (to adopt), or what an intent cannot hold of them. */
  handEdit?: HandEdit;
}

/**
 * What a config cluster holds, measured against an unfinished change.
 *
 * @public
 */
export type ClusterHolds = 'intended' | 'before' | 'other' | 'unknown';

/**
 * A change that did not finish cleanly: interrupted (its writer died mid-way) or restore-failed
 * (a failure, then the undo failed too). Finish applies `intentAfter`; undo restores the before-state.
 *
 * @public
 */
export interface UnfinishedChange {
  historyId: number;
  state: 'interrupted' | 'restore-failed' | 'pending';
  action: HistoryEntry['action'];
  actor: string;
  createdAt: string;
  intentBefore?: TrafficIntent;
  intentAfter?: TrafficIntent;
  clusters: Array<{ cluster: string; holds: ClusterHolds }>;
}

/**
 * When a risky part of a host's intent ends by itself, and who set it.
 *
 * @public
 */
export interface PartExpiry {
  /** `fault`, `mirror` or `routes.<name>`. */
  part: string;
  expiresAt: string;
  setBy: string;
}

/**
 * `GET /entities/:kind/:namespace/:name`.
 *
 * @public
 */
export interface EntityMeshState {
  target: {
    mesh: string;
    service: string;
    namespace: string;
    host: string;
    entityRef: string;
    /** The mesh's routing API: what the intent is written as, and what it may hold. */
    routingApi: RoutingApi;
  };
  clusters: ClusterState[];
  intent?: TrafficIntent;
  /** Opaque; changes whenever the live state of the host's routing objects does. */
  revision: string;
  /**
   * Another catalog entity whose objects hold the host's routing now (the first claim wins): this
   * entity may change it only by adopting, with the right to change that entity too.
   */
  heldBy?: string;
  /** Other catalog entities whose annotations name the same host. */
  claimedBy?: string[];
  /**
   * Why this entity may not write its host now, whoever asks: the namespace belongs to other
   * groups, or other entities claim the host too and no mesh admin has adopted it for this one.
   */
  writeBlocked?: string;
  /** The risky parts of the intent that end by themselves (a fault, a mirror, a route), and when. */
  expiries?: PartExpiry[];
  /** Set when the config clusters do not all hold the same intent of this entity: each cluster's is in `clusters[].intent`. */
  clustersDisagree?: boolean;
  /** The last intent applied everywhere, from history: where editing starts when there is no agreed `intent`. */
  lastApplied?: { historyId: number; intent?: TrafficIntent };
  /** The newest change of this entity, when it was left unfinished: offer to finish or undo it. */
  unfinished?: UnfinishedChange;
  /** The host's rollout in waves, in progress or the last one: while one runs, clusters differ on purpose. */
  rollout?: RolloutState;
}

/** @public */
export type PlannedAction = 'create' | 'update' | 'delete' | 'unchanged';

/** @public */
export interface PlannedObjectChange {
  kind: RoutingObject['kind'];
  name: string;
  namespace?: string;
  action: PlannedAction;
  /** Set when the change rewrites or deletes a foreign object: whose it is (an entity ref, or the tool). */
  takesOverFrom?: string;
  diff: string;
  object?: RoutingObject;
}

/** @public */
export interface ClusterPlan {
  cluster: string;
  changes: PlannedObjectChange[];
  dryRun: { ok: boolean; message?: string };
  foreign: ClassifiedObject[];
  drifted: ClassifiedObject[];
  /** Foreign objects no apply touches, adopt or not (`adoption` keep or blocked), with the reason. */
  kept: ClassifiedObject[];
}

/**
 * `POST .../plan`: the intent; `adopt` plans the take-over of foreign routing (the rewrites and
 * deletes appear among the changes); `onboarding` names the target of an entity not annotated yet.
 *
 * @public
 */
export type PlanRequest = PlanRequestBody;

/** @public */
export type PlanResponse =
  | { valid: false; issues: IntentIssue[] }
  | {
      valid: true;
      revision: string;
      clusters: ClusterPlan[];
      needsAdoption: boolean;
      /** Whether the changes include the take-over of foreign routing. */
      adopt: boolean;
      /** Why no apply can proceed whatever the caller may do (a foreign object holds our name for another host). */
      blocked?: string;
      /** When the plan changes who may call the service: the callers seen lately that it turns away. */
      access?: AccessPreview;
    };

/**
 * A caller seen calling the service over the preview's window that its new access part would
 * answer 403, on one cluster (`denied`), or let in only for some methods or paths (`limited`).
 *
 * @public
 */
export interface TurnedAwayCaller {
  /** The cluster whose proxies received the calls. */
  cluster: string;
  /** `namespace/service` of the caller, as its proxy reports it. */
  caller: string;
  /** The identities verified on its calls; none when they arrived without mutual TLS. */
  principals: string[];
  requestRate: number;
  admission: 'denied' | 'limited';
  reason: string;
}

/**
 * What a change of a service's access does to the callers the telemetry saw: applying it while
 * it turns any away needs `confirmDenied` naming each (`namespace/service`), or `*` when the
 * callers could not be read.
 *
 * @public
 */
export interface AccessPreview {
  window: string;
  turnedAway: TurnedAwayCaller[];
  /** Why the callers could not be read (no Prometheus, or it did not answer). */
  unavailable?: string;
}

/**
 * `POST .../apply`: the intent and the revision its plan was made against; `scaffolderTaskId` is set
 * by the scaffolder actions, so history can tell which task made the change.
 *
 * @public
 */
export type ApplyRequest = ApplyRequestBody;

/**
 * Where an entity's service lives, named by the onboarding template before its annotations land.
 *
 * @public
 */
export type OnboardingTarget = z.infer<typeof onboardingTargetSchema>;

/** @public */
export type ClusterOutcome =
  | 'applied'
  | 'unchanged'
  | 'restored'
  | 'failed'
  | 'unreachable'
  | 'restore-failed'
  | 'interrupted';

/** @public */
export interface ClusterApplyResult {
  cluster: string;
  outcome: ClusterOutcome;
  message?: string;
  /** For an interrupted change, what the cluster was found to hold. */
  holds?: ClusterHolds;
}

/**
 * A journal row's state: `pending` from before the first cluster write until the change ends.
 *
 * @public
 */
export type ChangeState =
  | 'pending'
  | 'applied'
  | 'failed'
  | 'restore-failed'
  | 'interrupted';

/** @public */
export interface ApplyResponse {
  ok: boolean;
  historyId: number;
  clusters: ClusterApplyResult[];
  revision?: string;
  /** Set when the change started a rollout in waves: its first wave is what `clusters` reports. */
  rolloutId?: number;
}

/** @public */
export interface HistoryEntry {
  id: number;
  entityRef: string;
  actor: string;
  action: 'apply' | 'rollback' | 'remove';
  createdAt: string;
  intentBefore?: TrafficIntent;
  intentAfter?: TrafficIntent;
  ok: boolean;
  state: ChangeState;
  clusters: ClusterApplyResult[];
  scaffolderTaskId?: string;
  /** The mesh action of Backstage's Actions Registry the change came through (an agent's, over MCP). */
  viaAction?: string;
  /** For a change the plugin made itself (a canary's automatic step): the user it acted for. */
  onBehalfOf?: string;
  /** Why the plugin made the change, with the figures it was made on. */
  reason?: string;
}

/**
 * `POST .../rollback`: the history entry to go back to, against the revision the user saw.
 *
 * @public
 */
export type RollbackRequest = RollbackRequestBody;

/**
 * How one version behaves on one cluster over the window, as its destination proxies report.
 *
 * @public
 */
export interface VersionTraffic {
  cluster: string;
  version: string;
  /** Requests per second. */
  requestRate: number;
  /** Share of requests without a 5xx, 0..1; absent with no requests. */
  successRate?: number;
  p50Ms?: number;
  p99Ms?: number;
}

/**
 * Where the callers in one cluster send the host's traffic: each version's share, in percent.
 *
 * @public
 */
export interface CallerShare {
  cluster: string;
  version: string;
  percent: number;
}

/**
 * `GET .../metrics`: the host's live traffic from its mesh's Prometheus, next to the configured split.
 *
 * @public
 */
export interface HostTraffic {
  window: string;
  versions: VersionTraffic[];
  callers: CallerShare[];
  /** The split every config cluster holds now, when they agree: what the observed shares should be. */
  configured?: Destination[];
  /** Requests per second to each version over the window (all clusters), for a chart. */
  series: VersionSeries[];
}

/**
 * One end of an observed call: a workload of a service, in a namespace, on a cluster.
 *
 * @public
 */
export interface GraphEndpoint {
  service: string;
  namespace: string;
  /** The version label of the workload; `unknown` where the proxy could not tell (a call it failed itself). */
  version: string;
  cluster: string;
}

/**
 * Calls observed between one version of the service and one peer over the window, from the
 * proxies' standard metrics.
 *
 * @public
 */
export interface GraphEdge {
  /** The service's own end. */
  self: Omit<GraphEndpoint, 'service' | 'namespace'>;
  /** The caller (inbound) or the callee (outbound). */
  peer: GraphEndpoint;
  requestRate: number;
  /** The share of the requests answered 5xx, 0 to 1. */
  errorRate?: number;
  p99Ms?: number;
  /**
   * Inbound only: whether the calls arrived over mutual TLS, as the receiving proxy reports
   * (`connection_security_policy`): all of them, none, only some (`partial`), or `unknown`.
   */
  mtls?: 'mutual_tls' | 'none' | 'partial' | 'unknown';
  /**
   * The SPIFFE identities verified on the calls: inbound the callers' (as the service's proxies
   * verified them), outbound the callees' certificates (as the service's proxies verified them).
   */
  principals?: string[];
}

/**
 * `GET .../graph`: who calls the service and whom it calls, per cluster and version.
 *
 * @public
 */
export interface ServiceGraph {
  window: string;
  service: string;
  namespace: string;
  inbound: GraphEdge[];
  outbound: GraphEdge[];
}

/**
 * One version's request rate over time: [unix seconds, requests per second] points.
 *
 * @public
 */
export interface VersionSeries {
  version: string;
  points: Array<[number, number]>;
}

/** @public */
export type CheckVerdict = 'pass' | 'fail' | 'inconclusive';

/**
 * One cluster's figures for the canary's candidate over an interval, and what they amount to.
 *
 * @public
 */
export interface ClusterCheck {
  cluster: string;
  /** Requests the candidate's proxies on this cluster received in the interval. */
  requests: number;
  /** Percent of them without a 5xx; absent without requests. */
  successRate?: number;
  /** The analysis' latency percentile, in milliseconds; absent without requests. */
  latencyMs?: number;
  verdict: CheckVerdict;
  /** Why it failed or was inconclusive; empty for a pass. */
  reasons: string[];
}

/**
 * One judgement of an automatic canary's step, and what the analysis did about it.
 *
 * @public
 */
export interface CanaryEvaluation {
  id: number;
  entityRef: string;
  createdAt: string;
  candidate: string;
  /** The step judged (1-based). */
  step: number;
  verdict: CheckVerdict;
  /** advance and promote on a pass, abort at the failure limit, none otherwise. */
  action: 'advance' | 'promote' | 'abort' | 'none';
  /** Failed intervals of this canary so far, this one included. */
  failures: number;
  reason: string;
  clusters: ClusterCheck[];
  /** The history entry of the change it made, if it made one. */
  historyId?: number;
}

/**
 * `GET .../canary`: the automatic canary the analysis follows, and its evaluations, newest first.
 *
 * @public
 */
export interface CanaryAnalysisState {
  run?: {
    startedBy: string;
    step: number;
    failures: number;
    /** Intervals in a row too quiet to judge (aborted at the analysis' inconclusiveLimit). */
    inconclusive: number;
    /** Intervals in a row without readable metrics (aborted at its errorLimit). */
    errors: number;
    /** When the current step started: its progress deadline runs from here. */
    stepSince: string;
    nextEvaluationAt: string;
  };
  /** Newest first, a page at a time (the newest 500 are kept). */
  evaluations: CanaryEvaluation[];
  /** When there are older ones: ask again with `?before=` this id. */
  olderBefore?: number;
  /** What the evaluations no longer kept said, in sum: how many, of each verdict, and when. */
  pruned?: {
    count: number;
    pass: number;
    fail: number;
    inconclusive: number;
    /** How many of them advanced, promoted or aborted the canary. */
    acted: number;
    from: string;
    to: string;
  };
}

/**
 * A cluster of a mesh as the status page shows it.
 *
 * @public
 */
export interface MeshClusterStatus {
  name: string;
  role: ClusterRole;
  network?: string;
  region?: string;
  reachable: boolean;
  error?: string;
  /** The API server's gitVersion, e.g. v1.31.0. */
  kubernetesVersion?: string;
}

/**
 * An istiod Deployment in a cluster's control-plane namespace.
 *
 * @public
 */
export interface ControlPlaneStatus {
  cluster: string;
  name: string;
  /** `istio.io/rev`; `default` when unlabelled. */
  revision: string;
  /** From the image tag, e.g. 1.24.2. */
  version?: string;
  replicas: number;
  readyReplicas: number;
}

/**
 * One namespace of one cluster: its injection label and how many of its pods run a sidecar.
 *
 * @public
 */
export interface NamespaceProxies {
  cluster: string;
  namespace: string;
  /** The revision the namespace is labelled for (`istio.io/rev`), or `enabled` (`istio-injection`). */
  injection?: string;
  pods: number;
  injectedPods: number;
  /** Pods given a sidecar whose proxy is not ready (the pod not running, or its istio-proxy container not ready); absent when none. */
  proxiesNotReady?: number;
}

/**
 * What one cluster's sidecar proxies use, from the `istio-proxy` containers' cAdvisor metrics
 * (`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`) in the mesh's
 * Prometheus, by its `cluster` label.
 *
 * @public
 */
export interface ProxyResources {
  cluster: string;
  /** Proxies that reported. */
  proxies: number;
  /** CPU now (the last two samples of each proxy's counter), in cores, summed over the proxies. */
  cpuCores: number;
  memoryBytes: number;
}

/**
 * A service whose routing the portal wrote, as the mesh's config clusters hold it.
 *
 * @public
 */
export interface RoutedService {
  entityRef: string;
  host: string;
  /** A line such as "v1 80 / v3 20 · canary step 1 of 4". */
  summary: string;
  /** Per config cluster holding its objects: whether they are as written, or edited since. */
  clusters: Array<{ cluster: string; status: 'ours' | 'drifted' }>;
  lastChange?: {
    actor: string;
    onBehalfOf?: string;
    at: string;
    state: ChangeState;
  };
  /** A rollout in waves in progress: its clusters differ on purpose until it ends. */
  rollout?: {
    id: number;
    status: 'baking' | 'paused';
    wavesDone: number;
    waves: number;
    nextCheckAt?: string;
  };
}

/**
 * `GET /meshes/:mesh/status`: the mesh itself, as multi-cluster mesh consoles lead with it.
 *
 * @public
 */
export interface MeshStatus {
  id: string;
  kind: MeshKind;
  configClusters: string[];
  clusters: MeshClusterStatus[];
  controlPlanes: ControlPlaneStatus[];
  namespaces: NamespaceProxies[];
  /** Routed services whose catalog entity the caller may read. */
  services: RoutedService[];
  /** What a platform team should fix in the mesh's setup, e.g. no namespace bound to owners. */
  warnings?: string[];
  /** Per cluster, what its proxies use, when the mesh names a Prometheus. */
  proxyResources?: ProxyResources[];
  /** Why the proxies' resources could not be read from that Prometheus. */
  proxyResourcesError?: string;
}

/**
 * A service of a mesh, by its namespace and name, as a caller an access rule may name.
 *
 * @public
 */
export interface WorkloadRef {
  namespace: string;
  service: string;
}

/**
 * The service accounts (`namespace/name`) a service's pods run as, and the clusters it runs on.
 *
 * @public
 */
export interface WorkloadIdentity extends WorkloadRef {
  serviceAccounts: string[];
  clusters: string[];
}

/**
 * `GET /meshes/:mesh/service-accounts?workload=ns/service`: who each service runs as, from the
 * clusters; `unreadable` names the clusters that could not be read, with why.
 *
 * @public
 */
export interface ServiceAccountsResponse {
  workloads: WorkloadIdentity[];
  unreadable: string[];
}
