import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MeshConfig } from '../config/readMeshConfig';
import { NamespaceBinding } from './NamespaceBindings';
import { entityOwners, WriteAuthority } from './WriteAuthority';

const ADMINS = 'group:default/platform';
const TEAM = 'group:default/bookinfo-team';
const groups: Record<string, string[]> = {
  'user:default/alice': [TEAM],
  'user:default/ops': [ADMINS],
  'user:default/mallory': ['group:default/data-team'],
};
const as = (user: string) => mockCredentials.user(user);
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'reviews', namespace: 'default' },
  spec: { owner: 'bookinfo-team' },
};
const target = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};
const mesh = { id: 'demo' } as MeshConfig;

function authority(
  setup: { binding?: NamespaceBinding; others?: string[] } = {},
) {
  const assign = jest.fn(async () => undefined);
  const rule = new WriteAuthority({
    userInfo: mockServices.userInfo.mock({
      getUserInfo: async (c: any) => ({
        userEntityRef: c.principal.userEntityRef,
        ownershipEntityRefs: [
          c.principal.userEntityRef,
          ...(groups[c.principal.userEntityRef] ?? []),
        ],
      }),
    }),
    adminGroup: ADMINS,
    writeAccess: 'owners',
    bindings: { bindingOf: async () => setup.binding },
    claims: { otherClaimants: async () => setup.others ?? [] },
    assignments: { get: async () => undefined, assign },
  });
  const check = (user: string, options: object = {}) =>
    rule.checkWrite(as(user), entity, target, mesh, {
      actor: user,
      ...options,
    });
  return { check, assign };
}

describe('WriteAuthority', () => {
  it("reads an entity's owner as a group ref of its namespace", () => {
    expect(entityOwners(entity)).toEqual([TEAM]);
  });

  it('lets the owners and admins write, and nobody else, whatever the policy', async () => {
    const { check } = authority();
    await expect(check('user:default/alice')).resolves.toEqual({});
    await expect(check('user:default/ops')).resolves.toEqual({});
    await expect(check('user:default/mallory')).rejects.toThrow(
      /only the owners of component:default\/reviews/,
    );
  });

  it('refuses a contested host to its owners, records an admin’s adoption, and lets owners stop their own automation', async () => {
    const { check, assign } = authority({ others: ['component:default/copy'] });
    await expect(check('user:default/alice')).rejects.toThrow(
      /also claimed by component:default\/copy/,
    );
    await expect(check('user:default/alice', { adopt: true })).rejects.toThrow(
      /also claimed/,
    );
    await expect(check('user:default/alice', { stop: true })).resolves.toEqual(
      {},
    );
    await expect(check('user:default/mallory', { stop: true })).rejects.toThrow(
      /only the owners/,
    );
    expect(assign).not.toHaveBeenCalled();
    const { adopted } = await check('user:default/ops', { adopt: true });
    // Recorded only once the change has landed: the route calls it then.
    expect(assign).not.toHaveBeenCalled();
    await adopted!();
    expect(assign).toHaveBeenCalledWith(
      'demo/bookinfo/reviews',
      'component:default/reviews',
      'user:default/ops',
    );
  });

  it('keeps an entity out of a namespace bound to other groups, and lets an admin write there without adopting', async () => {
    const { check, assign } = authority({
      binding: { owners: ['group:default/data-team'], source: 'config' },
    });
    await expect(check('user:default/alice')).rejects.toThrow(
      /belongs to group:default\/data-team/,
    );
    await expect(check('user:default/ops')).resolves.toEqual({});
    expect(assign).not.toHaveBeenCalled();
  });

  it('applies the contested rule inside a bound namespace too', async () => {
    const { check } = authority({
      binding: { owners: [TEAM], source: 'config' },
      others: ['component:default/twin'],
    });
    await expect(check('user:default/alice')).rejects.toThrow(
      /the namespace binding does not tell them apart/,
    );
  });
});
