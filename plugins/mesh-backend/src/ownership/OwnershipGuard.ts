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
import { ownershipRefs } from './ownershipRefs';
import { WriteAccess } from '../config/writeAccess';

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
    private readonly writeAccess: WriteAccess = 'owners',
    /** The owners of a catalog entity, or undefined when the catalog no longer has it. */
    private readonly ownersOf: (
      entityRef: string,
    ) => Promise<string[] | undefined> = async () => undefined,
  ) {}

  private claims(credentials: BackstageCredentials): Promise<string[]> {
    return ownershipRefs(this.userInfo, credentials);
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
      const claims = await this.claims(credentials);
      const admin = Boolean(
        this.adminGroup && claims.includes(this.adminGroup),
      );
      // As for a change of the entity's own routing: by default the policy alone is not enough,
      // the caller must own the other entity too (an entity gone from the catalog: admins only).
      const owned = await Promise.all(
        entities.map(async ref => {
          if (this.writeAccess !== 'owners' || admin) return true;
          const owners = await this.ownersOf(ref);
          return Boolean(owners?.some(o => claims.includes(o)));
        }),
      );
      const denied = entities.filter(
        (_, i) => decisions[i].result !== AuthorizeResult.ALLOW || !owned[i],
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
