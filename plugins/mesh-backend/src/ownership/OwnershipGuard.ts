import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClassifiedObject,
  meshTrafficUpdatePermission,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** The owner of a foreign object, as a person reads it: the entity that wrote it, or the tool. */
export function ownerOf(obj: ClassifiedObject): string {
  return obj.ownerEntityRef ?? obj.owner;
}

/**
 * Who may take what: adopting another entity's routing needs the right to change that entity's
 * routing; adopting hand-written or third-party routing needs membership of `mesh.adminGroup`.
 * Who may write a host at all is the write authority's.
 */
export class OwnershipGuard {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly userInfo: UserInfoService,
    private readonly adminGroup: string | undefined,
  ) {}

  private async claims(credentials: BackstageCredentials): Promise<string[]> {
    if ((credentials.principal as { type: string }).type !== 'user') return [];
    return (
      await this.userInfo.getUserInfo(credentials as BackstageCredentials<any>)
    ).ownershipEntityRefs;
  }

  /** Refuses an adoption of `objects` unless the caller may change every one of their owners. */
  async checkAdoption(
    credentials: BackstageCredentials,
    objects: ClassifiedObject[],
  ): Promise<void> {
    const entities = [
      ...new Set(
        objects.flatMap(o => (o.ownerEntityRef ? [o.ownerEntityRef] : [])),
      ),
    ].sort();
    const tools = [
      ...new Set(objects.filter(o => !o.ownerEntityRef).map(ownerOf)),
    ].sort();
    if (entities.length) {
      const decisions = await this.permissions.authorize(
        entities.map(resourceRef => ({
          permission: meshTrafficUpdatePermission,
          resourceRef,
        })),
        { credentials },
      );
      const denied = entities.filter(
        (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
      );
      if (denied.length) {
        throw new NotAllowedError(
          `adopting takes this host's routing from ${denied.join(
            ', ',
          )}, whose mesh routing you may not update`,
        );
      }
    }
    if (tools.length) {
      const claims = await this.claims(credentials);
      if (!this.adminGroup || !claims.includes(this.adminGroup)) {
        throw new NotAllowedError(
          `adopting takes over ${tools.join(', ')} routing, which only ${
            this.adminGroup
              ? `members of ${this.adminGroup} (mesh.adminGroup)`
              : 'mesh admins (mesh.adminGroup, not configured)'
          } may do`,
        );
      }
    }
  }
}
