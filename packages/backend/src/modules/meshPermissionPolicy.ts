import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  meshStatusReadPermission,
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The portal's policy: signed-in users may read a service's routing and a mesh's status; only the entity's owners
 * (and members of `mesh.adminGroup`) may change it. Everything else stays open, as in the
 * template's allow-all policy, so the demo catalog and scaffolder keep working.
 */
export class MeshPermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroup?: string) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isPermission(request.permission, meshTrafficReadPermission) ||
      isPermission(request.permission, meshStatusReadPermission)
    ) {
      return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    if (isPermission(request.permission, meshTrafficUpdatePermission)) {
      if (!user) return { result: AuthorizeResult.DENY };
      const claims = user.info.ownershipEntityRefs;
      if (this.adminGroup && claims.includes(this.adminGroup))
        return { result: AuthorizeResult.ALLOW };
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'mesh-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new MeshPermissionPolicy(config.getOptionalString('mesh.adminGroup')),
        );
      },
    });
  },
});
