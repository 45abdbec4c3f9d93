import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startAdminServer } from './admin';
import { SimulatedCluster } from './cluster';
import { ClusterFaults } from './faults';
import { startMeshTraffic } from './telemetry/meshTraffic';
import { TrafficModel } from './telemetry/trafficModel';
import { renderKubeconfig } from './kubeconfig';
import { seedTopology } from './seed';
import { Topology, validateTopology } from './topology';
import { CrdValidator } from './validation';

export interface SandboxCluster {
  name: string;
  mesh: string;
  role: string;
  network?: string;
  region?: string;
  url: string;
  token: string;
  /** Base64 PEM of the cluster's CA. */
  caData: string;
}

/** Faults across the sandbox, by cluster name. */
export interface SandboxFaults {
  cluster(name: string): ClusterFaults;
  setLatency(name: string, ms: number): void;
  down(name: string): Promise<void>;
  up(name: string): Promise<void>;
  /** Breaks every open watch stream of a cluster; answers how many. */
  cutWatches(name: string): number;
  /** Forgets a cluster's change history: a watch resuming from before now gets 410 Gone. */
  compact(name: string): void;
  /** Clears every cluster's faults, request counters and write logs. */
  reset(): void;
}

export interface Sandbox {
  clusters: SandboxCluster[];
  kubeconfigPath: string;
  adminUrl: string;
  faults: SandboxFaults;
  /** The simulated API servers themselves, for tests that inspect their stores. */
  servers: Map<string, SimulatedCluster>;
  /** Each mesh's traffic model, by mesh id: its behaviours can be set and its time advanced. */
  traffic: Map<string, TrafficModel>;
  stop(): Promise<void>;
}

export interface StartSandboxOptions {
  /** Where to write the kubeconfig; a temporary file by default. */
  kubeconfigPath?: string;
  /** The admin endpoint's port; ephemeral by default. */
  adminPort?: number;
  /** Ignore the topology's fixed ports, so tests never collide with a running dev sandbox. */
  ephemeralPorts?: boolean;
  /** The traffic model's seed and rate (requests per ready replica per second; 10 by default). */
  traffic?: { seed?: number; requestsPerReplicaPerSecond?: number };
}

let sharedValidator: CrdValidator | undefined;

/** Starts one HTTPS API server per cluster of the topology, seeded, and writes a kubeconfig. */
export async function startSandbox(
  topology: Topology,
  options: StartSandboxOptions = {},
): Promise<Sandbox> {
  validateTopology(topology);
  sharedValidator ??= CrdValidator.fromFiles();
  const servers = new Map<string, SimulatedCluster>();
  const info: Array<Omit<SandboxCluster, 'url' | 'token' | 'caData'>> = [];
  for (const mesh of topology.meshes) {
    for (const c of mesh.clusters) {
      servers.set(
        c.name,
        new SimulatedCluster({
          name: c.name,
          port: options.ephemeralPorts ? 0 : c.port,
          token: c.token,
          validator: sharedValidator,
        }),
      );
      info.push({
        name: c.name,
        mesh: mesh.id,
        role: c.role,
        network: c.network,
        region: c.region,
      });
    }
  }
  seedTopology(topology, servers);
  const traffic = startMeshTraffic(topology, servers, options.traffic);
  await Promise.all([...servers.values()].map(s => s.start()));
  const admin: http.Server = await startAdminServer(
    servers,
    traffic,
    options.adminPort,
  );

  const clusters = info.map(i => {
    const s = servers.get(i.name)!;
    return { ...i, url: s.url, token: s.token, caData: s.caData };
  });
  const kubeconfigPath =
    options.kubeconfigPath ??
    path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'kube-sandbox-')),
      'kubeconfig',
    );
  fs.mkdirSync(path.dirname(kubeconfigPath), { recursive: true });
  fs.writeFileSync(kubeconfigPath, renderKubeconfig(clusters), { mode: 0o600 });

  const get = (name: string) => {
    const s = servers.get(name);
    if (!s) throw new Error(`no cluster ${name} in the sandbox`);
    return s;
  };
  return {
    clusters,
    kubeconfigPath,
    adminUrl: `http://127.0.0.1:${(admin.address() as { port: number }).port}`,
    servers,
    traffic,
    faults: {
      cluster: name => get(name).faults,
      setLatency: (name, ms) => get(name).faults.setLatency(ms),
      down: name => get(name).stop(),
      up: name => get(name).start(),
      cutWatches: name => get(name).cutWatches(),
      compact: name => get(name).compactHistory(),
      reset: () => {
        for (const s of servers.values()) {
          s.faults.clear();
          s.faults.resetCounts();
          s.writes.clear();
        }
      },
    },
    async stop() {
      await Promise.all([...servers.values()].map(s => s.stop()));
      await new Promise<void>(resolve => admin.close(() => resolve()));
    },
  };
}
