import { KubeConfig } from '@kubernetes/client-node';
import { generateRouting } from '@meshtraffic/backstage-plugin-mesh-common';
import { Topology } from '@meshtraffic/kube-sandbox';
import knex from 'knex';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  meshServicesFor,
  MeshServices,
} from '../../plugins/mesh-backend/src/__testUtils__/meshServices';

const root = path.resolve(__dirname, '../..');

/** A multi-primary mesh of n clusters, reviews v1 and v2 running on each; other teams' routing as `filler` says. */
export function primaries(n: number, filler?: Topology['filler']): Topology {
  const names = Array.from({ length: n }, (_, i) => `c${i + 1}`);
  return {
    ...(filler ? { filler } : {}),
    meshes: [
      {
        id: 'bench',
        clusters: names.map((name, i) => ({
          name,
          role: 'primary',
          region: `region-${i % 3}`,
        })),
      },
    ],
    workloads: [
      {
        namespace: 'bookinfo',
        service: 'reviews',
        versions: [
          { version: 'v1', clusters: names },
          { version: 'v2', clusters: names },
        ],
      },
    ],
  };
}

export const target = {
  mesh: 'bench',
  service: 'reviews',
  namespace: 'bookinfo',
  entityRef: 'component:default/reviews',
};

export interface BenchSandbox {
  clusters: string[];
  adminUrl: string;
  latencyMs: number;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/**
 * The sandbox in a process of its own, as API servers are other machines: its CPU is not the
 * backend's. Every cluster answers after `latencyMs` (set through its admin endpoint).
 */
export async function latencySandbox(
  n: number,
  latencyMs: number,
  filler?: Topology['filler'],
): Promise<BenchSandbox> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
  const topologyFile = path.join(dir, 'topology.yaml');
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  fs.writeFileSync(topologyFile, stringify(primaries(n, filler)));
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'packages/kube-sandbox/bin/kube-sandbox'),
      '--topology',
      topologyFile,
      '--kubeconfig',
      kubeconfigPath,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const adminUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
      const admin = /\[sandbox\] admin (\S+)/.exec(out);
      if (admin && out.includes('[sandbox] ready')) resolve(admin[1]);
    });
    child.on('exit', code =>
      reject(new Error(`the sandbox exited (${code}) before it was ready`)),
    );
  });
  const clusters = primaries(n).meshes[0].clusters.map(c => c.name);
  await Promise.all(
    clusters.map(name =>
      fetch(`${adminUrl}/clusters/${name}/latency`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ms: latencyMs }),
      }),
    ),
  );
  return {
    clusters,
    adminUrl,
    latencyMs,
    kubeconfigPath,
    stop: async () => {
      process.off('exit', orphaned);
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The mesh backend's own services (state, plan, apply, journal and locks in SQLite) wired to a
 * sandbox as the plugin wires them. Each call is one replica: two calls stand for two replicas.
 */
export async function meshServices(
  sandbox: BenchSandbox,
): Promise<MeshServices & { close: () => Promise<void> }> {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(sandbox.kubeconfigPath);
  const meshConfig = {
    meshes: [
      {
        id: 'bench',
        clusters: sandbox.clusters.map(name => ({
          name,
          url: kubeconfig.getCluster(name)!.server,
          role: 'primary',
          authProvider: 'kubeconfig',
          kubeconfigPath: sandbox.kubeconfigPath,
          kubeconfigContext: name,
          requestTimeout: 30_000,
        })),
      },
    ],
  };
  const db = knex({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  const services = await meshServicesFor(meshConfig, db);
  // Warm: the first call to each cluster opens its connection; a portal's are open long since.
  await services.status.get(target);
  return {
    ...services,
    close: async () => {
      services.registry.close();
      await db.destroy();
    },
  };
}

/** One round trip to one cluster over a kept-alive connection, for the limits to be made of. */
export async function oneRoundTrip(
  services: MeshServices,
): Promise<() => Promise<void>> {
  const cluster = services.registry.mesh('bench')!.clusters[0];
  const client = services.registry.client(cluster);
  // A request through the backend's own client, kept alive, so the cluster's added latency and
  // the client's own cost apply as they do to the product's calls (reads go to the watch caches).
  const call = async () => {
    await client.kubernetesVersion();
  };
  await call();
  return call;
}

/**
 * One write to every cluster at once through the backend's own clients: a server-side apply of
 * the bench service's VirtualService, dry run so nothing changes. The sandbox answers all of its
 * clusters from one process, so n writes at once cost its CPU n times where n API servers would
 * each pay once. It also carries the backend's client costs (authentication, client-node, TLS)
 * for n requests: context for the apply figures, not their limit.
 */
export async function oneWriteWave(
  services: MeshServices,
): Promise<() => Promise<void>> {
  const clusters = services.registry.mesh('bench')!.clusters;
  const virtualService = generateRouting(target, {
    split: [{ version: 'v1', weight: 100 }],
  }).find(o => o.kind === 'VirtualService')!;
  const call = async () => {
    await Promise.all(
      clusters.map(cluster =>
        services.registry
          .client(cluster)
          .apply(virtualService, { dryRun: true }),
      ),
    );
  };
  await call();
  return call;
}

/** Requests each cluster has answered since its counters were last reset, summed. */
export async function requestsAnswered(sandbox: BenchSandbox): Promise<number> {
  const clusters: Array<{ requests: Record<string, number> }> = await (
    await fetch(`${sandbox.adminUrl}/clusters`)
  ).json();
  return clusters
    .flatMap(c => Object.values(c.requests))
    .reduce((a, b) => a + b, 0);
}

/** Zeroes the request counters; a reset clears faults too, so the latency is set again. */
export async function resetCounters(sandbox: BenchSandbox) {
  await Promise.all(
    sandbox.clusters.map(async name => {
      const admin = `${sandbox.adminUrl}/clusters/${name}`;
      await fetch(`${admin}/reset`, { method: 'POST' });
      await fetch(`${admin}/latency`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ms: sandbox.latencyMs }),
      });
    }),
  );
}
