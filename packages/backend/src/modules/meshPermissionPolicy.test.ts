import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshPermissionPolicy } from './meshPermissionPolicy';

const user = (ownershipEntityRefs: string[]) =>
  ({
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    credentials: {},
  } as unknown as PolicyQueryUser);

const guest = user(['user:default/guest', 'group:default/bookinfo-team']);

describe('MeshPermissionPolicy', () => {
  const policy = new MeshPermissionPolicy('group:default/platform');

  it('lets signed-in users read routing and nobody else', async () => {
    expect(
      await policy.handle({ permission: meshTrafficReadPermission }, guest),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(
      await policy.handle({ permission: meshTrafficReadPermission }),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it("lets only the entity's owners update routing, as a catalog condition on their claims", async () => {
    expect(
      await policy.handle({ permission: meshTrafficUpdatePermission }, guest),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/guest', 'group:default/bookinfo-team'],
        },
      },
    });
    expect(
      await policy.handle({ permission: meshTrafficUpdatePermission }),
    ).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('lets the admin group update any routing', async () => {
    const admin = user(['user:default/ops', 'group:default/platform']);
    expect(
      await policy.handle({ permission: meshTrafficUpdatePermission }, admin),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('leaves other permissions open, as the template did', async () => {
    const other = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    expect(await policy.handle({ permission: other }, guest)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
