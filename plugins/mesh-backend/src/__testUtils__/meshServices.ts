import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader, JsonObject } from '@backstage/config';
import { Knex } from 'knex';
import { readMeshConfig } from '../config/readMeshConfig';
import { createMeshServices, MeshServices } from '../wiring';

export type { MeshServices };

/** Every set of services made here and not closed yet: their clusters' watches run until closed. */
const open = new Set<MeshServices>();

/**
 * Stops the cluster watches of every set of services {@link meshServicesFor} made: a test file's
 * clusters go away when it ends, and watches left running would retry them in the next file.
 *
 * @public
 */
export function closeMeshServices() {
  for (const services of open) services.registry.close();
  open.clear();
}

/**
 * The mesh backend's services without HTTP or a catalog, wired as the plugin wires them, on a
 * `mesh:` config (e.g. {@link sandboxMeshConfig}'s) and a knex database: one call per replica, for
 * tests that stand for several replicas or one in a child process, and for benchmarks.
 *
 * @public
 */
export async function meshServicesFor(
  meshConfig: Record<string, unknown>,
  knex: Knex,
  options: {
    /** Why a host's entity may not write it now (the plugin asks its write authority). */
    standing?: (target: {
      mesh: string;
      namespace: string;
      service: string;
      entityRef: string;
    }) => Promise<string | undefined>;
  } = {},
): Promise<MeshServices> {
  // The one method of the database service the store uses: no jest needed, so a child process can call this too.
  const database = {
    getClient: async () => knex,
    migrations: { skip: false },
  } as unknown as DatabaseService;
  const services = await createMeshServices({
    config: readMeshConfig(
      new ConfigReader({ mesh: meshConfig as JsonObject }),
    ),
    database,
    standing: options.standing,
  });
  open.add(services);
  return services;
}
