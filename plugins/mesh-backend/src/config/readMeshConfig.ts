import { Config } from '@backstage/config';
import {
  MeshAuthStrategy,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { builtInAuthStrategies } from '../auth/builtInAuthStrategies';
import {
  ClusterSources,
  readConnection,
  SuppliedCluster,
} from './readConnection';
import { kubernetesConfigClusters } from './kubernetesConfigClusters';
import { MeshConfigError } from './MeshConfigError';
import { WRITE_ACCESS, WriteAccess } from './writeAccess';

export { MeshConfigError };
import {
  ClusterRole,
  CLUSTER_ROLES,
  DEFAULT_TRUST_DOMAIN,
  durationToMillis,
  MeshTopology,
  Placement,
  PlacementError,
  placeConfig,
  RoutingApi,
  ROUTING_APIS,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** Namespaces no entity may aim the plugin at unless a mesh lists them explicitly. */
export const SYSTEM_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'istio-system',
];

/**
 * A cluster as configured, credentials included (in `authMetadata`). Lives only inside the
 * backend: responses and log lines use the public summary.
 *
 * @public
 */
export interface ClusterConfig extends MeshClusterDetails {
  title?: string;
  mesh: string;
  role: ClusterRole;
  network?: string;
  region?: string;
  skipTLSVerify: boolean;
  requestTimeoutMs: number;
}

/**
 * A namespace bound to the groups that own it: only they (and the admins) may target services there.
 *
 * @public
 */
export interface NamespaceOwners {
  name: string;
  owners: string[];
}

/**
 * Where a mesh's Istio metrics are read.
 *
 * @public
 */
export interface PrometheusConfig {
  url: string;
  token?: string;
  username?: string;
  password?: string;
  /** Config cluster name to the value Istio's metrics carry in `destination_cluster` / `source_cluster`. */
  clusterLabels: Record<string, string>;
  requestTimeoutMs: number;
}

/**
 * The pod labels a service and its versions are found by; subsets select on `version`.
 *
 * @public
 */
export interface WorkloadLabels {
  app: string;
  version: string;
}

/** @public */
export interface MeshConfig {
  id: string;
  workloadLabels: WorkloadLabels;
  /** How an intent is written on this mesh; `istio` unless configured. */
  routingApi: RoutingApi;
  /** Whether objects a GitOps tool manages are left to Git (`refuse`, unless configured) or adoptable. */
  gitOps: 'refuse' | 'adoptable';
  /** The trust domain in the mesh's workload principals; `cluster.local` unless configured. */
  trustDomain: string;
  /** The longest a risky part (a fault, a mirror, a route) may stay; without it they may stay for good. */
  maxRiskyChangeMs?: number;
  prometheus?: PrometheusConfig;
  allowedNamespaces?: string[];
  namespaces: NamespaceOwners[];
  controlPlaneNamespace: string;
  clusters: ClusterConfig[];
  topology: MeshTopology;
  /** Where routing takes effect (the mesh's kind and its config clusters), computed once from the topology. */
  placement: Placement;
}

/** A trust domain is a DNS-like name: principals are built from it, so it is checked at startup. */
function readTrustDomain(m: Config, i: number): string {
  const value = m.getOptionalString('trustDomain') ?? DEFAULT_TRUST_DOMAIN;
  if (!/^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$/.test(value))
    throw new MeshConfigError(
      `mesh.meshes[${i}].trustDomain must be a trust domain such as cluster.local, not ${JSON.stringify(
        value,
      )}`,
    );
  return value;
}

/** @public */
export interface MeshPluginConfig {
  adminGroup?: string;
  /** Who decides which people change an entity's routing: see {@link WriteAccess}. */
  writeAccess: WriteAccess;
  /** How to authenticate to clusters, by the `authProvider` they name: built in, and added by modules. */
  authStrategies: Record<string, MeshAuthStrategy>;
  /** How long a host's change lock holds without renewal. */
  changeLockTtlMs: number;
  /** How often due automatic canaries are looked for. */
  canaryCheckMs: number;
  meshes: MeshConfig[];
}

function readGitOps(m: Config, i: number): MeshConfig['gitOps'] {
  const value = m.getOptionalString('gitOps') ?? 'refuse';
  if (value !== 'refuse' && value !== 'adoptable')
    throw new MeshConfigError(
      `mesh.meshes[${i}].gitOps must be refuse or adoptable (got ${value})`,
    );
  return value;
}

function readRoutingApi(m: Config, i: number): RoutingApi {
  const value = m.getOptionalString('routingApi') ?? 'istio';
  if (!(ROUTING_APIS as readonly string[]).includes(value))
    throw new MeshConfigError(
      `mesh.meshes[${i}].routingApi must be one of ${ROUTING_APIS.join(
        ', ',
      )} (got ${value})`,
    );
  return value as RoutingApi;
}

function readCluster(
  c: Config,
  key: string,
  mesh: string,
  sources: ClusterSources,
): ClusterConfig {
  const role = c.getString('role');
  if (!(CLUSTER_ROLES as readonly string[]).includes(role)) {
    throw new MeshConfigError(
      `${key}.role must be one of ${CLUSTER_ROLES.join(', ')} (got "${role}")`,
    );
  }
  const connection = readConnection(c, key, sources);
  const cluster: ClusterConfig = {
    ...connection,
    title: c.getOptionalString('title'),
    mesh,
    role: role as ClusterRole,
    network: c.getOptionalString('network'),
    region: c.getOptionalString('region'),
    skipTLSVerify: connection.skipTLSVerify ?? false,
    requestTimeoutMs: c.getOptionalNumber('requestTimeout') ?? 10_000,
  };
  if (!(cluster.requestTimeoutMs > 0)) {
    throw new MeshConfigError(
      `${key}.requestTimeout must be a positive number of milliseconds`,
    );
  }
  return cluster;
}

/** One `mesh.meshes[i]`: its clusters (connected as their config or a supplier says), placement and options. */
function readMesh(m: Config, i: number, sources: ClusterSources): MeshConfig {
  const id = m.getString('id');
  const seenClusters = new Set<string>();
  const clusters = m.getConfigArray('clusters').map((c, j) => {
    const cluster = readCluster(
      c,
      `mesh.meshes[${i}].clusters[${j}]`,
      id,
      sources,
    );
    if (seenClusters.has(cluster.name)) {
      throw new MeshConfigError(
        `mesh.meshes[${i}].clusters[${j}].name "${cluster.name}" is used twice in mesh ${id}`,
      );
    }
    seenClusters.add(cluster.name);
    return cluster;
  });
  const topology: MeshTopology = {
    id,
    clusters: clusters.map(c => ({
      name: c.name,
      role: c.role,
      network: c.network,
      region: c.region,
    })),
  };
  let placement: Placement;
  try {
    placement = placeConfig(topology);
  } catch (e) {
    if (e instanceof PlacementError)
      throw new MeshConfigError(`mesh.meshes[${i}]: ${e.message}`);
    throw e;
  }
  return {
    id,
    ...(m.has('prometheus')
      ? {
          prometheus: readPrometheus(
            m.getConfig('prometheus'),
            `mesh.meshes[${i}].prometheus`,
          ),
        }
      : {}),
    routingApi: readRoutingApi(m, i),
    gitOps: readGitOps(m, i),
    trustDomain: readTrustDomain(m, i),
    ...readMaxRiskyChange(m, `mesh.meshes[${i}].maxRiskyChangeDuration`),
    workloadLabels: {
      app: m.getOptionalString('workloadLabels.app') ?? 'app',
      version: m.getOptionalString('workloadLabels.version') ?? 'version',
    },
    allowedNamespaces: m.getOptionalStringArray('allowedNamespaces'),
    namespaces: readNamespaceOwners(m, `mesh.meshes[${i}]`),
    controlPlaneNamespace:
      m.getOptionalString('controlPlaneNamespace') ?? 'istio-system',
    clusters,
    topology,
    placement,
  };
}

/**
 * Reads and checks `mesh:` at startup, so a bad key stops the backend with a message naming it
 * rather than failing on the first request. Messages never include a credential's value.
 *
 * @public
 */
export function readMeshConfig(
  config: Config,
  options: {
    /** Every strategy, built-in ones included; the built-in ones alone by default. */
    authStrategies?: Record<string, MeshAuthStrategy>;
    /** Clusters from suppliers; by default those of `kubernetes.clusterLocatorMethods`. */
    suppliedClusters?: SuppliedCluster[];
  } = {},
): MeshPluginConfig {
  const authStrategies =
    options.authStrategies ?? builtInAuthStrategies(config);
  const sources: ClusterSources = {
    strategies: authStrategies,
    supplied: uniquelyNamed(
      options.suppliedClusters ?? kubernetesConfigClusters(config),
    ),
  };
  const root = config.getOptionalConfig('mesh');
  if (!root)
    return {
      meshes: [],
      writeAccess: 'owners',
      authStrategies,
      changeLockTtlMs: 30_000,
      canaryCheckMs: 10_000,
    };
  const seenMeshes = new Set<string>();
  const meshes = root.getConfigArray('meshes').map((m, i) => {
    const mesh = readMesh(m, i, sources);
    if (seenMeshes.has(mesh.id))
      throw new MeshConfigError(
        `mesh.meshes[${i}].id "${mesh.id}" is used twice`,
      );
    seenMeshes.add(mesh.id);
    return mesh;
  });
  const ttlSeconds = root.getOptionalNumber('changeLockTtlSeconds') ?? 30;
  if (!(ttlSeconds >= 1))
    throw new Error(
      `mesh.changeLockTtlSeconds must be at least 1 (got ${ttlSeconds})`,
    );
  const canaryCheckSeconds = root.getOptionalNumber('canaryCheckSeconds') ?? 10;
  if (!(canaryCheckSeconds >= 1))
    throw new MeshConfigError(
      `mesh.canaryCheckSeconds must be at least 1 (got ${canaryCheckSeconds})`,
    );
  const writeAccess = root.getOptionalString('writeAccess') ?? 'owners';
  if (!(WRITE_ACCESS as readonly string[]).includes(writeAccess))
    throw new MeshConfigError(
      `mesh.writeAccess must be one of ${WRITE_ACCESS.join(
        ', ',
      )} (got ${writeAccess})`,
    );
  return {
    // Entity refs compare lowercased, as users' ownership refs have them.
    adminGroup: root
      .getOptionalString('adminGroup')
      ?.toLocaleLowerCase('en-US'),
    writeAccess: writeAccess as WriteAccess,
    authStrategies,
    changeLockTtlMs: ttlSeconds * 1000,
    canaryCheckMs: canaryCheckSeconds * 1000,
    meshes,
  };
}

/**
 * Supplied clusters are found by name alone: two of one name would leave which one a mesh (and its
 * credentials) connects to up to the order suppliers answered in.
 */
function uniquelyNamed(supplied: SuppliedCluster[]): SuppliedCluster[] {
  const seen = new Map<string, string>();
  for (const s of supplied) {
    const first = seen.get(s.name);
    if (first)
      throw new MeshConfigError(
        `cluster name "${s.name}" is supplied twice (${first} and ${s.source}); supplied clusters are found by name, so each name must be unique`,
      );
    seen.set(s.name, s.source);
  }
  return supplied;
}

function readNamespaceOwners(m: Config, key: string): NamespaceOwners[] {
  return (m.getOptionalConfigArray('namespaces') ?? []).map((n, k) => {
    const owners = n.getStringArray('owners');
    const bad = owners.find(o => !/^group:[^/]+\/.+$/.test(o));
    if (bad !== undefined) {
      throw new MeshConfigError(
        `${key}.namespaces[${k}].owners: "${bad}" is not a group entity ref (group:<namespace>/<name>)`,
      );
    }
    return {
      name: n.getString('name'),
      owners: owners.map(o => o.toLocaleLowerCase('en-US')),
    };
  });
}

/** Clusters whose TLS is not verified: a warning at startup, since their credentials could go to anyone. */
export function unverifiedClusters(config: MeshPluginConfig): string[] {
  return config.meshes.flatMap(m =>
    m.clusters.filter(c => c.skipTLSVerify).map(c => `${m.id}/${c.name}`),
  );
}

/** Meshes whose config binds no namespace to owners: any entity owner may claim an unclaimed host there, unless the namespace itself names its owners. */
export function meshesWithoutBindings(config: MeshPluginConfig): string[] {
  return config.meshes.filter(m => !m.namespaces.length).map(m => m.id);
}

/** The groups that own a namespace of a mesh, when the mesh binds it to owners. */
export function namespaceOwners(
  mesh: MeshConfig,
  namespace: string,
): string[] | undefined {
  return mesh.namespaces.find(n => n.name === namespace)?.owners;
}

/**
 * Whether an entity of this mesh may point the plugin at a namespace.
 *
 * @public
 */
export function isNamespaceAllowed(
  mesh: MeshConfig,
  namespace: string,
): boolean {
  if (namespace === mesh.controlPlaneNamespace) return false;
  if (mesh.allowedNamespaces) return mesh.allowedNamespaces.includes(namespace);
  return !SYSTEM_NAMESPACES.includes(namespace);
}

/** `maxRiskyChangeDuration`: a duration such as 2h, at least a minute. */
function readMaxRiskyChange(
  m: Config,
  key: string,
): { maxRiskyChangeMs?: number } {
  const value = m.getOptionalString('maxRiskyChangeDuration');
  if (value === undefined) return {};
  const ms = durationToMillis(value);
  if (ms === undefined || ms < 60_000)
    throw new MeshConfigError(
      `${key} must be a duration of at least a minute, such as 2h (got ${value})`,
    );
  return { maxRiskyChangeMs: ms };
}

function readPrometheus(c: Config, at: string): PrometheusConfig {
  const url = c.getString('url');
  if (!/^https?:\/\//.test(url))
    throw new MeshConfigError(`${at}.url must be an http(s) URL`);
  const token = c.getOptionalString('token');
  const username = c.getOptionalString('username');
  const password = c.getOptionalString('password');
  if (token && username)
    throw new MeshConfigError(
      `${at}: give either token or username and password, not both`,
    );
  if (Boolean(username) !== Boolean(password))
    throw new MeshConfigError(`${at}: username and password go together`);
  if (url.startsWith('http:') && (token || password)) {
    throw new MeshConfigError(
      `${at}.url is http: credentials would cross the network in clear; use https`,
    );
  }
  const timeout = c.getOptionalNumber('requestTimeout') ?? 5000;
  if (!(timeout > 0))
    throw new MeshConfigError(
      `${at}.requestTimeout must be a positive number of milliseconds`,
    );
  const labels = c.getOptionalConfig('clusterLabels');
  const clusterLabels = Object.fromEntries(
    (labels?.keys() ?? []).map(k => [k, labels!.getString(k)]),
  );
  return {
    url: url.replace(/\/$/, ''),
    token,
    username,
    password,
    clusterLabels,
    requestTimeoutMs: timeout,
  };
}
