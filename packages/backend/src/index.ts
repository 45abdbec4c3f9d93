/*
 * The demo portal's backend: the template's core plugins, guest sign-in, the mesh permission
 * policy, the mesh backend plugin, its scaffolder actions, and its actions for MCP clients.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder plugin, with the mesh:traffic:plan and mesh:traffic:apply actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@meshtraffic/backstage-plugin-scaffolder-backend-module-mesh'),
);

// auth plugin, with guest sign-in for local use
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// and, in development, a second demo identity that owns nothing (auth.providers.viewer)
backend.add(import('./modules/demoViewerSignIn'));

// catalog plugin
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permission plugin, with the mesh policy: signed-in users read routing, owners change it
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/meshPermissionPolicy'));

// user settings plugin
backend.add(import('@backstage/plugin-user-settings-backend'));

// mesh traffic plugin
backend.add(import('@meshtraffic/backstage-plugin-mesh-backend'));

// MCP: the Actions Registry's actions (the mesh's, as backend.actions.pluginSources lists them)
// offered to MCP clients, each call with the signed-in user's identity
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
