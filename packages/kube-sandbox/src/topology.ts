import fs from 'node:fs';
import { parse } from 'yaml';
import type {
  Behaviour,
  BehaviourScope,
  Caller,
} from './telemetry/trafficModel';

export type SandboxClusterRole = 'primary' | 'remote' | 'config';

export interface TopologyCluster {
  name: string;
  role: SandboxClusterRole;
  /** For a remote: the primary (or config cluster) whose control plane configures it. */
  controlPlane?: string;
  network?: string;
  region?: string;
  zone?: string;
  /** Fixed port; ephemeral when omitted. */
  port?: number;
  /** Fixed bearer token; random when omitted. */
  token?: string;
}

export interface TopologyMesh {
  id: string;
  clusters: TopologyCluster[];
  /** Who calls whom in the mesh's traffic model; bookinfo's call graph when omitted. */
  callers?: Caller[];
}

export interface TopologyWorkload {
  namespace: string;
  service: string;
  /** The controller its versions run as (Deployment by default). */
  kind?: 'Deployment' | 'StatefulSet' | 'Rollout';
  /** The label keys its pods carry for the app and the version (`app`, `version` by default). */
  labels?: { app?: string; version?: string };
  versions: Array<{
    version: string;
    clusters: string[];
    replicas?: number;
    ready?: number;
  }>;
}

/** An istiod on a cluster: its revision and the Istio version its image carries. */
export interface TopologyControlPlane {
  cluster: string;
  revision: string;
  version: string;
  replicas?: number;
}

export interface Topology {
  meshes: TopologyMesh[];
  /** istiod Deployments (in istio-system); pods in injected namespaces get a sidecar. */
  controlPlanes?: TopologyControlPlane[];
  /** Namespaces labelled for injection with the revision of their cluster's control plane. */
  injectedNamespaces?: string[];
  workloads?: TopologyWorkload[];
  /** How versions answer (error rate, latency), everywhere or on one cluster; the default otherwise. */
  behaviours?: Array<BehaviourScope & Partial<Behaviour>>;
  /** Raw objects to seed, per cluster. */
  objects?: Array<{ cluster: string; object: Record<string, any> }>;
  /**
   * Other teams' routing, for production-size meshes: on every cluster, this many
   * VirtualServices and as many DestinationRules, each for its own host, spread over
   * `namespaces` namespaces (100 by default).
   */
  filler?: { routingPairs: number; namespaces?: number };
}

export function loadTopology(file: string): Topology {
  const topology = parse(fs.readFileSync(file, 'utf8')) as Topology;
  validateTopology(topology, file);
  return topology;
}

/**
 * Several topologies as one sandbox: their meshes side by side, with every list joined (each
 * file is checked on its own, then the whole, so cluster names stay unique across meshes).
 */
export function loadTopologies(files: string[]): Topology {
  const parts = files.map(loadTopology);
  const join = <K extends keyof Topology>(key: K) =>
    parts.flatMap(t => (t[key] as unknown[] | undefined) ?? []);
  const merged = {
    meshes: join('meshes'),
    controlPlanes: join('controlPlanes'),
    injectedNamespaces: [...new Set(join('injectedNamespaces'))],
    workloads: join('workloads'),
    behaviours: join('behaviours'),
    objects: join('objects'),
    ...(parts.find(t => t.filler)
      ? { filler: parts.find(t => t.filler)!.filler }
      : {}),
  } as Topology;
  validateTopology(merged, files.join(' + '));
  return merged;
}

export function validateTopology(topology: Topology, source = 'topology') {
  if (!Array.isArray(topology?.meshes) || !topology.meshes.length)
    throw new Error(`${source}: meshes must list at least one mesh`);
  const names = new Set<string>();
  topology.meshes.forEach((mesh, i) => {
    if (!mesh.id) throw new Error(`${source}: meshes[${i}].id is required`);
    mesh.clusters.forEach((c, j) => {
      if (!c.name)
        throw new Error(
          `${source}: meshes[${i}].clusters[${j}].name is required`,
        );
      if (names.has(c.name))
        throw new Error(`${source}: cluster name ${c.name} is used twice`);
      if (!['primary', 'remote', 'config'].includes(c.role)) {
        throw new Error(
          `${source}: meshes[${i}].clusters[${j}].role must be primary, remote or config`,
        );
      }
      names.add(c.name);
    });
  });
  (topology.controlPlanes ?? []).forEach((cp, i) => {
    if (!names.has(cp.cluster))
      throw new Error(
        `${source}: controlPlanes[${i}] names unknown cluster ${cp.cluster}`,
      );
  });
  (topology.behaviours ?? []).forEach((b, i) => {
    if (!b.namespace || !b.service || !b.version)
      throw new Error(
        `${source}: behaviours[${i}] needs namespace, service and version`,
      );
    if (b.cluster && !names.has(b.cluster))
      throw new Error(
        `${source}: behaviours[${i}] names unknown cluster ${b.cluster}`,
      );
  });
  for (const w of topology.workloads ?? []) {
    for (const v of w.versions) {
      for (const c of v.clusters) {
        if (!names.has(c))
          throw new Error(
            `${source}: workload ${w.service} ${v.version} names unknown cluster ${c}`,
          );
      }
    }
  }
}
