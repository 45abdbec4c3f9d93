import {
  PROMETHEUS_BINARY,
  RunningPrometheus,
  Sandbox,
  startPrometheus,
  startSandbox,
  Topology,
  loadTopology,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import knexFactory from 'knex';
import fs from 'node:fs';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor, MeshServices } from './meshServices';

/** Tests that need the real Prometheus: skipped only off CI, where it may be missing. */
export const describePrometheus =
  fs.existsSync(PROMETHEUS_BINARY) || process.env.CI ? describe : describe.skip;

/**
 * For one describe block: a sandbox of the topology (100 requests per replica per second), a real
 * Prometheus scraping it, and the mesh services on an in-memory database.
 */
export function usePrometheusMesh(
  topology: () => Topology,
  meshExtra: Record<string, unknown> = {},
) {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  const env = { db } as {
    db: typeof db;
    sandbox: Sandbox;
    prometheus: RunningPrometheus;
    services: MeshServices;
  };
  beforeAll(async () => {
    env.sandbox = await startSandbox(topology(), {
      ephemeralPorts: true,
      traffic: { requestsPerReplicaPerSecond: 100 },
    });
    env.prometheus = await startPrometheus(env.sandbox.clusters);
    env.services = await meshServicesFor(
      sandboxMeshConfig(env.sandbox, {
        meshExtra: { prometheus: { url: env.prometheus.url }, ...meshExtra },
      }),
      db,
    );
  }, 60_000);
  afterAll(async () => {
    await env.prometheus?.stop();
    await env.sandbox?.stop();
    await db.destroy();
  });
  return env;
}

/** The demo topology with productpage on west too: each primary's own callers exercise its config. */
export function demoCalledFromEveryPrimary(): Topology {
  const topology = loadTopology(topologyPath('demo'));
  topology.workloads!.find(w => w.service === 'productpage')!.versions[0] = {
    version: 'v1',
    clusters: ['east', 'west'],
    replicas: 2,
  };
  return topology;
}

/** The demo's reviews, as the analysis, the metrics and the rollouts address it. */
export const reviewsTarget = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};
