import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createMeshTrafficApplyAction } from './actions/apply';
import { createMeshTrafficPlanAction } from './actions/plan';
import { MeshBackendClient } from './client/MeshBackendClient';

/**
 * Adds `mesh:traffic:plan` and `mesh:traffic:apply` to the scaffolder. They call the mesh backend
 * on behalf of the template's user, so it needs the mesh backend plugin in the same portal.
 *
 * @public
 */
export const scaffolderModuleMesh = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mesh',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, discovery, auth, catalog, config }) {
        const deps = {
          catalog,
          client: new MeshBackendClient({ discovery, auth }),
          appBaseUrl: config.getString('app.baseUrl'),
        };
        scaffolder.addActions(
          createMeshTrafficPlanAction(deps),
          createMeshTrafficApplyAction(deps),
        );
      },
    });
  },
});
