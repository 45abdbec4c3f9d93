import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { readMeshConfig } from './config/readMeshConfig';
import { createRouter } from './router';
import { ClusterRegistry } from './service/ClusterRegistry';

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
      },
      async init({ config, logger, httpAuth, httpRouter }) {
        const meshConfig = readMeshConfig(config);
        const clusters = new ClusterRegistry(meshConfig);
        logger.info(
          `mesh: ${meshConfig.meshes.length} mesh(es), ${meshConfig.meshes.reduce((n, m) => n + m.clusters.length, 0)} cluster(s) configured`,
        );
        httpRouter.use(await createRouter({ httpAuth, clusters }));
      },
    });
  },
});
