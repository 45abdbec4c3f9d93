import crypto from 'node:crypto';
import { SimulatedCluster } from './cluster';
import { RESOURCE_TYPES, ResourceType } from './resources';
import { Topology, TopologyControlPlane, TopologyWorkload } from './topology';

const type = (kind: string) =>
  RESOURCE_TYPES.find(r => r.kind === kind) as ResourceType;

function podSuffix(seed: string) {
  return crypto.createHash('sha256').update(seed).digest('hex').slice(0, 10);
}

type Version = TopologyWorkload['versions'][number];

/** Seeds namespaces once per cluster. */
class NamespaceSeeder {
  private readonly seeded = new Map<string, Set<string>>();

  constructor(
    private readonly clusters: Map<string, SimulatedCluster>,
    private readonly injection: Injection,
  ) {}

  ensure(cluster: string, ns: string) {
    const set = this.seeded.get(cluster) ?? new Set<string>();
    this.seeded.set(cluster, set);
    if (set.has(ns)) return;
    set.add(ns);
    const revision = this.injection.revisionFor(cluster, ns);
    this.clusters.get(cluster)!.seed(type('Namespace'), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          'kubernetes.io/metadata.name': ns,
          ...(revision ? { 'istio.io/rev': revision } : {}),
        },
      },
    });
  }
}

/**
 * Which namespaces get sidecars on which cluster, with which revision: the injected namespaces,
 * by the control plane of the cluster (a remote's is its primary's).
 */
class Injection {
  private readonly controlPlaneOf = new Map<string, string>();

  constructor(private readonly topology: Topology) {
    for (const mesh of topology.meshes)
      for (const c of mesh.clusters)
        this.controlPlaneOf.set(c.name, c.controlPlane ?? c.name);
  }

  revisionFor(cluster: string, namespace: string): string | undefined {
    if (!this.topology.injectedNamespaces?.includes(namespace))
      return undefined;
    const host = this.controlPlaneOf.get(cluster) ?? cluster;
    return this.topology.controlPlanes?.find(cp => cp.cluster === host)
      ?.revision;
  }
}

/**
 * Seeds each cluster as a mesh of that shape looks: the workloads' namespaces and Services in
 * every cluster of the mesh (namespace sameness), Deployments and Pods where each version runs,
 * labelled as Istio labels them.
 */
export function seedTopology(
  topology: Topology,
  clusters: Map<string, SimulatedCluster>,
) {
  const meshOf = new Map<string, string[]>();
  for (const mesh of topology.meshes) {
    for (const c of mesh.clusters)
      meshOf.set(
        c.name,
        mesh.clusters.map(x => x.name),
      );
  }
  const injection = new Injection(topology);
  const namespaces = new NamespaceSeeder(clusters, injection);
  for (const name of clusters.keys()) namespaces.ensure(name, 'default');
  for (const cp of topology.controlPlanes ?? []) {
    namespaces.ensure(cp.cluster, 'istio-system');
    seedControlPlane(clusters.get(cp.cluster)!, cp);
  }

  for (const w of topology.workloads ?? []) {
    const inMesh = new Set(
      w.versions.flatMap(v => v.clusters.flatMap(c => meshOf.get(c) ?? [c])),
    );
    for (const cluster of inMesh) {
      namespaces.ensure(cluster, w.namespace);
      clusters.get(cluster)!.seed(type('Service'), serviceOf(w));
    }
    for (const v of w.versions) {
      for (const cluster of v.clusters)
        seedVersion(
          clusters.get(cluster)!,
          cluster,
          w,
          v,
          injection.revisionFor(cluster, w.namespace),
        );
    }
  }
  if (topology.filler)
    for (const name of clusters.keys())
      seedFiller(clusters.get(name)!, topology.filler, n =>
        namespaces.ensure(name, n),
      );
  for (const { cluster, object } of topology.objects ?? []) {
    const target = clusters.get(cluster);
    if (!target)
      throw new Error(`topology: objects name unknown cluster ${cluster}`);
    if (object.metadata?.namespace)
      namespaces.ensure(cluster, object.metadata.namespace);
    target.seed(resourceTypeOf(object), object);
  }
}

function serviceOf(w: TopologyWorkload) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: w.service,
      namespace: w.namespace,
      labels: { [w.labels?.app ?? 'app']: w.service, service: w.service },
    },
    spec: {
      selector: { [w.labels?.app ?? 'app']: w.service },
      ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }],
    },
  };
}

/** One version's Deployment and its Pods on one cluster, `ready` of them Running. */
function seedVersion(
  target: SimulatedCluster,
  cluster: string,
  w: TopologyWorkload,
  v: Version,
  revision: string | undefined,
) {
  const replicas = v.replicas ?? 1;
  const ready = Math.min(v.ready ?? replicas, replicas);
  const name = `${w.service}-${v.version}`;
  const labels = {
    [w.labels?.app ?? 'app']: w.service,
    [w.labels?.version ?? 'version']: v.version,
  };
  const kind = w.kind ?? 'Deployment';
  target.seed(type(kind), {
    apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
    kind,
    metadata: { name, namespace: w.namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // Istio's identity for the workload (principalOf in the traffic model).
          serviceAccountName: w.service,
          containers: [
            {
              name: w.service,
              image: `docker.io/istio/examples-bookinfo-${w.service}-${v.version}:1.20.2`,
            },
          ],
        },
      },
    },
    status: {
      replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: replicas,
      observedGeneration: 1,
    },
  });
  seedPods(target, cluster, {
    name,
    namespace: w.namespace,
    labels,
    container: w.service,
    replicas,
    ready,
    revision,
  });
}

/** A controller's pods, `ready` of them Running, with a sidecar where a revision injects one. */
function seedPods(
  target: SimulatedCluster,
  cluster: string,
  pods: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    container: string;
    replicas: number;
    ready: number;
    revision?: string;
  },
) {
  const { name, labels, replicas, ready, revision } = pods;
  const hash = podSuffix(`${cluster}/${name}`);
  for (let i = 0; i < replicas; i++) {
    target.seed(type('Pod'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${hash}-${podSuffix(`${hash}${i}`).slice(0, 5)}`,
        namespace: pods.namespace,
        labels: {
          ...labels,
          'topology.istio.io/cluster': cluster,
          ...(revision
            ? {
                'security.istio.io/tlsMode': 'istio',
                'istio.io/rev': revision,
              }
            : {}),
        },
        // What Istio's injector leaves on a pod it gave a sidecar.
        ...(revision
          ? {
              annotations: {
                'sidecar.istio.io/status': JSON.stringify({
                  initContainers: ['istio-init'],
                  containers: ['istio-proxy'],
                  revision,
                }),
              },
            }
          : {}),
      },
      spec: {
        containers: [
          { name: pods.container },
          ...(revision ? [{ name: 'istio-proxy' }] : []),
        ],
      },
      status: { phase: i < ready ? 'Running' : 'Pending' },
    });
  }
}

/** An istiod Deployment and its pods, as Istio's installer names and labels them per revision. */
function seedControlPlane(target: SimulatedCluster, cp: TopologyControlPlane) {
  const replicas = cp.replicas ?? 1;
  const name = cp.revision === 'default' ? 'istiod' : `istiod-${cp.revision}`;
  const labels = { app: 'istiod', istio: 'pilot', 'istio.io/rev': cp.revision };
  target.seed(type('Deployment'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'istio-system', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'istiod', 'istio.io/rev': cp.revision } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'discovery', image: `docker.io/istio/pilot:${cp.version}` },
          ],
        },
      },
    },
    status: {
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      updatedReplicas: replicas,
      observedGeneration: 1,
    },
  });
  const hash = podSuffix(`${target.name}/${name}`);
  for (let i = 0; i < replicas; i++)
    target.seed(type('Pod'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${hash}-${podSuffix(`${hash}${i}`).slice(0, 5)}`,
        namespace: 'istio-system',
        labels,
      },
      spec: { containers: [{ name: 'discovery' }] },
      status: { phase: 'Running' },
    });
}

/** The resource type a raw topology object is, by its apiVersion and kind. */
function resourceTypeOf(object: {
  apiVersion?: string;
  kind?: string;
}): ResourceType {
  const t = RESOURCE_TYPES.find(
    r =>
      r.kind === object.kind &&
      (r.group
        ? object.apiVersion?.startsWith(`${r.group}/`)
        : !object.apiVersion?.includes('/')),
  );
  if (!t)
    throw new Error(
      `topology: cannot seed ${object.apiVersion} ${object.kind}`,
    );
  return t;
}

/** Other teams' routing: a VirtualService and a DestinationRule per host, none of them ours. */
function seedFiller(
  cluster: SimulatedCluster,
  filler: NonNullable<Topology['filler']>,
  ensureNamespace: (name: string) => void,
) {
  const spread = filler.namespaces ?? 100;
  for (let i = 0; i < filler.routingPairs; i++) {
    const namespace = `filler-${i % spread}`;
    const name = `svc-${i}`;
    const host = `${name}.${namespace}.svc.cluster.local`;
    ensureNamespace(namespace);
    cluster.seed(type('VirtualService'), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace, labels: { team: `team-${i % 40}` } },
      spec: {
        hosts: [host],
        http: [
          {
            timeout: '3s',
            retries: { attempts: 2, perTryTimeout: '1s' },
            route: [
              { destination: { host, subset: 'v1' }, weight: 90 },
              { destination: { host, subset: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    });
    cluster.seed(type('DestinationRule'), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name, namespace },
      spec: {
        host,
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    });
  }
}
