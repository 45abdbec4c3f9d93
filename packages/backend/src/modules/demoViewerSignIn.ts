import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The catalog user the demo's "viewer" sign-in gives: signed in, member of no owning team. */
const VIEWER = 'user:default/viewer';

/**
 * Development only, like the guest provider it mirrors: a second demo identity, so a person (and
 * the e2e suite) can see the portal as someone who may read routing but change none of it.
 */
const viewerAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize: () => process.env.NODE_ENV !== 'development',
  async authenticate(_, disabled) {
    if (disabled)
      throw new NotAllowedError(
        'the demo viewer sign-in exists only in development',
      );
    return { result: {} };
  },
});

export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-viewer-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        if (!config.has('auth.providers.viewer')) return;
        providers.registerProvider({
          providerId: 'viewer',
          factory: createProxyAuthProviderFactory({
            authenticator: viewerAuthenticator,
            signInResolver: async (_, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: VIEWER }),
          }),
        });
      },
    });
  },
});
