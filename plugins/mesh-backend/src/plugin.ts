import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshPermissions } from '@meshtraffic/backstage-plugin-mesh-common';
import { readMeshConfig, unverifiedClusters } from './config/readMeshConfig';
import { CatalogHostClaims } from './ownership/HostClaims';
import { OwnershipGuard } from './ownership/OwnershipGuard';
import { createRouter } from './router';
import { createMeshServices } from './service/createMeshServices';

/**
 * The mesh backend plugin: holds cluster credentials and serves `/api/mesh`.
 *
 * @public
 */
export const meshPlugin = createBackendPlugin({
  pluginId: 'mesh',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        database: coreServices.database,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        scheduler: coreServices.scheduler,
      },
      async init({
        auditor,
        auth,
        userInfo,
        config,
        logger,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
        database,
        scheduler,
      }) {
        const meshConfig = readMeshConfig(config);
        for (const cluster of unverifiedClusters(meshConfig)) {
          logger.warn(
            `mesh: cluster ${cluster} has skipTLSVerify set: its credentials go to whoever answers at its URL; use caData or caFile outside development`,
          );
        }
        logger.info(
          `mesh: ${
            meshConfig.meshes.length
          } mesh(es), ${meshConfig.meshes.reduce(
            (n, m) => n + m.clusters.length,
            0,
          )} cluster(s) configured`,
        );
        permissionsRegistry.addPermissions(meshPermissions);
        const claims = new CatalogHostClaims(catalog, auth);
        const guard = new OwnershipGuard(
          permissions,
          userInfo,
          meshConfig.adminGroup,
        );
        const {
          registry: clusters,
          state,
          planner,
          store,
          applier,
          recovery,
          status,
        } = await createMeshServices({
          config: meshConfig,
          database,
          claims,
          logger,
        });
        // Changes a dead replica left pending are resolved by reading the clusters: at startup
        // (initialDelay 0) and then regularly, by one replica at a time.
        await scheduler.scheduleTask({
          id: 'mesh-resolve-interrupted-changes',
          frequency: {
            seconds: Math.max(30, meshConfig.changeLockTtlMs / 1000),
          },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 0 },
          fn: async () => {
            const resolved = await recovery.resolveAbandoned();
            if (resolved)
              logger.info(
                `mesh: resolved ${resolved} change(s) left pending by a stopped writer`,
              );
          },
        });
        httpRouter.use(
          await createRouter({
            auditor,
            guard,
            claims,
            httpAuth,
            permissions,
            catalog,
            clusters,
            state,
            status,
            planner,
            applier,
            store,
          }),
        );
      },
    });
  },
});
