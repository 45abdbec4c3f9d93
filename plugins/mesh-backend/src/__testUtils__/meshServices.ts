import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader, JsonObject } from '@backstage/config';
import { Knex } from 'knex';
import { readMeshConfig } from '../config/readMeshConfig';
import { MeshStore } from '../database/MeshStore';
import { ChangeRecovery } from '../service/ChangeRecovery';
import { ClusterRegistry } from '../service/ClusterRegistry';
import { EntityStatus } from '../service/EntityStatus';
import { MeshApplier } from '../service/MeshApplier';
import { MeshPlanner } from '../service/MeshPlanner';
import { MeshStateService } from '../service/MeshStateService';

/**
 * The mesh backend's services wired as plugin.ts wires them, without HTTP or a catalog: for a
 * replica in a child process, tests that stand for several replicas, and the benchmarks.
 */
export async function wireMeshServices(meshConfig: Record<string, unknown>, knex: Knex) {
  const config = readMeshConfig(new ConfigReader({ mesh: meshConfig as JsonObject }));
  const registry = new ClusterRegistry(config);
  const state = new MeshStateService(registry);
  const planner = new MeshPlanner(registry, state);
  // The database service's one method the store uses, on a given knex: no jest needed, so a child process can wire it too.
  const database = { getClient: async () => knex, migrations: { skip: false } } as unknown as DatabaseService;
  const store = await MeshStore.create(database, { lockTtlMs: config.changeLockTtlMs });
  const applier = new MeshApplier(registry, planner, state, store);
  const recovery = new ChangeRecovery(store, state);
  const status = new EntityStatus(state, store, recovery);
  return { registry, state, planner, store, applier, recovery, status };
}

export type MeshServices = Awaited<ReturnType<typeof wireMeshServices>>;
