import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { meshApiRef } from './api/MeshApi';
import { MeshClient } from './api/MeshClient';

export const rootRouteRef = createRouteRef({ id: 'mesh' });
export const meshStatusRouteRef = createRouteRef({ id: 'mesh-status' });

/** @public */
export const meshPlugin = createPlugin({
  id: 'mesh',
  apis: [
    createApiFactory({
      api: meshApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MeshClient(deps),
    }),
  ],
  routes: { root: rootRouteRef, meshStatus: meshStatusRouteRef },
});

/**
 * The Mesh tab of an entity page: `<EntityLayout.Route path="/mesh" title="Mesh" if={isMeshAvailable}>`.
 *
 * @public
 */
export const EntityMeshContent = meshPlugin.provide(
  createRoutableExtension({
    name: 'EntityMeshContent',
    component: () =>
      import('./components/EntityMeshContent').then(m => m.EntityMeshContent),
    mountPoint: rootRouteRef,
  }),
);

/**
 * A card for the entity overview: where the service's routing lives.
 *
 * @public
 */
export const EntityMeshOverviewCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshOverviewCard',
    component: {
      lazy: () =>
        import('./components/EntityMeshOverviewCard').then(
          m => m.EntityMeshOverviewCard,
        ),
    },
  }),
);

/**
 * The mesh status page: `<Route path="/mesh-status" element={<MeshStatusPage />} />`.
 *
 * @public
 */
export const MeshStatusPage = meshPlugin.provide(
  createRoutableExtension({
    name: 'MeshStatusPage',
    component: () =>
      import('./components/MeshStatusPage').then(m => m.MeshStatusPage),
    mountPoint: meshStatusRouteRef,
  }),
);
