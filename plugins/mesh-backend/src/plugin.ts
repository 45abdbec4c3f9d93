import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshPermissions } from '@meshtraffic/backstage-plugin-mesh-common';
import { readMeshConfig, unverifiedClusters } from './config/readMeshConfig';
import { CatalogHostClaims } from './ownership/HostClaims';
import { OwnershipGuard } from './ownership/OwnershipGuard';
import { createRouter } from './router';
import { ClusterRegistry } from './service/ClusterRegistry';
import { MeshStore } from './database/MeshStore';
import { MeshApplier } from './service/MeshApplier';
import { MeshPlanner } from './service/MeshPlanner';
import { MeshStateService } from './service/MeshStateService';

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
      },
      async init({ auditor, auth, userInfo, config, logger, httpAuth, httpRouter, permissions, permissionsRegistry, catalog, database }) {
        const meshConfig = readMeshConfig(config);
        for (const cluster of unverifiedClusters(meshConfig)) {
          logger.warn(`mesh: cluster ${cluster} has skipTLSVerify set: its credentials go to whoever answers at its URL; use caData or caFile outside development`);
        }
        const clusters = new ClusterRegistry(meshConfig);
        logger.info(
          `mesh: ${meshConfig.meshes.length} mesh(es), ${meshConfig.meshes.reduce((n, m) => n + m.clusters.length, 0)} cluster(s) configured`,
        );
        permissionsRegistry.addPermissions(meshPermissions);
        const claims = new CatalogHostClaims(catalog, auth);
        const guard = new OwnershipGuard(permissions, userInfo, meshConfig.adminGroup);
        const state = new MeshStateService(clusters, claims);
        const planner = new MeshPlanner(clusters, state);
        const store = await MeshStore.create(database);
        const applier = new MeshApplier(clusters, planner, state, store);
        httpRouter.use(await createRouter({ auditor, guard, claims, httpAuth, permissions, catalog, clusters, state, planner, applier, store }));
      },
    });
  },
});
