/**
 * The mesh plugin for Backstage's new frontend system: the Mesh entity content, the overview
 * card, the mesh status page (with its nav item) and the API, found by feature discovery.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import DeviceHubIcon from '@material-ui/icons/DeviceHub';
import { meshApiRef } from './api/MeshApi';
import { MeshClient } from './api/MeshClient';
import { isMeshAvailable } from './isMeshAvailable';
import { meshStatusRouteRef, rootRouteRef } from './plugin';

// One conversion of each legacy route ref, so the plugin's routes and its extensions share it.
const meshContentRouteRef = convertLegacyRouteRef(rootRouteRef);
const meshStatusPageRouteRef = convertLegacyRouteRef(meshStatusRouteRef);

/**
 * The mesh API, talking to the mesh backend through the app's discovery and fetch.
 *
 * @alpha
 */
export const meshApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meshApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MeshClient(deps),
    }),
});

/**
 * The Mesh tab of entities that carry the mesh annotations.
 *
 * @alpha
 */
export const meshEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/mesh',
    title: 'Mesh',
    routeRef: meshContentRouteRef,
    filter: isMeshAvailable,
    loader: () =>
      import('./components/EntityMeshContent').then(m =>
        compatWrapper(<m.EntityMeshContent />),
      ),
  },
});

/**
 * The overview card: where the service's routing lives and what it holds.
 *
 * @alpha
 */
export const meshEntityCard = EntityCardBlueprint.make({
  name: 'overview',
  params: {
    filter: isMeshAvailable,
    loader: () =>
      import('./components/EntityMeshOverviewCard').then(m =>
        compatWrapper(<m.EntityMeshOverviewCard />),
      ),
  },
});

/**
 * Every managed service of every mesh, with its health: a page of its own, in the nav.
 *
 * @alpha
 */
export const meshStatusPage = PageBlueprint.make({
  params: {
    path: '/mesh-status',
    title: 'Mesh status',
    // The page has a Backstage header of its own, as on the legacy system.
    noHeader: true,
    icon: <DeviceHubIcon />,
    routeRef: meshStatusPageRouteRef,
    loader: () =>
      import('./components/MeshStatusPage').then(m =>
        compatWrapper(<m.MeshStatusPage />),
      ),
  },
});

/**
 * The mesh plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mesh',
  title: 'Mesh',
  icon: <DeviceHubIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: meshContentRouteRef,
    meshStatus: meshStatusPageRouteRef,
  },
  extensions: [meshApi, meshEntityContent, meshEntityCard, meshStatusPage],
});
