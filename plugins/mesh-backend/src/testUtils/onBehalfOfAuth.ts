import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/** A mock user token naming the plugin that acts for the user, as a real on-behalf-of token does. */
function mockOnBehalfOfToken(
  userEntityRef: string | undefined,
  pluginId: string,
): string {
  return mockCredentials.user.token(userEntityRef, {
    actor: { subject: `plugin:${pluginId}` },
  });
}

/**
 * The test backend's auth service, except that a plugin's request token on behalf of a user
 * authenticates as that user with the plugin as actor, as Backstage's own auth service does. The
 * plain mock drops the actor, so a test backend could not tell the scaffolder's calls to the mesh
 * backend from a person's, and the permission backend refuses resource checks from an actor-less
 * user.
 *
 * @public
 */
export const onBehalfOfAuthServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return Object.assign(Object.create(auth), {
      async getPluginRequestToken(options: {
        onBehalfOf: BackstageCredentials;
        targetPluginId: string;
      }) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user')
          return auth.getPluginRequestToken(options);
        const minted = mockOnBehalfOfToken(
          principal.userEntityRef,
          plugin.getId(),
        );
        return { token: minted };
      },
    });
  },
});
