import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  OnboardingTarget,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import { targetOf } from './targetOf';
import { HostClaims } from '../ownership/HostClaims';
import { WriteAuthority } from '../ownership/WriteAuthority';
import { LiveStateReader } from '../read/LiveStateReader';
import { actorOf } from './requestParts';

/** Who may do what to an entity's routing: authentication, the permission, the catalog, ownership. */
export class RequestAccess {
  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      catalog: CatalogService;
      authority: Pick<WriteAuthority, 'checkWrite'>;
      claims: HostClaims;
      state: Pick<LiveStateReader, 'meshFor'>;
    },
  ) {}

  /** The caller's credentials, once a permission that names no entity (a mesh's status) allows it. */
  async basic(req: express.Request, permission: BasicPermission) {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await this.basicFor(credentials, permission);
    return credentials;
  }

  /** As `basic`, for credentials already known (an action's caller). */
  async basicFor(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ) {
    const [decision] = await this.deps.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError(`you may not read ${permission.name}`);
  }

  /**
   * The caller's credentials and the catalog entity, once the permission allows it. Changes come
   * only from people: a user, or a service acting on behalf of one (its credentials are the user's).
   */
  async entity(
    req: express.Request,
    permission: ResourcePermission<'catalog-entity'>,
  ) {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return this.entityFor(credentials, entityRefOf(req), permission);
  }

  /** As `entity`, for credentials and an entity ref already known (an action's caller and input). */
  async entityFor(
    credentials: BackstageCredentials,
    entityRef: string,
    permission: ResourcePermission<'catalog-entity'>,
  ) {
    // A service on its own reads; only a user, or a service on a user's behalf, changes routing.
    if (
      permission !== meshTrafficReadPermission &&
      (credentials.principal as { type?: string }).type !== 'user'
    )
      throw new NotAllowedError(
        'routing is changed by people: a user, or a service acting on behalf of one',
      );
    const [decision] = await this.deps.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `you may not ${permission.attributes.action} the mesh routing of ${entityRef}`,
      );
    }
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) throw new NotFoundError(`no catalog entity ${entityRef}`);
    return { credentials, entityRef, entity };
  }

  /**
   * As `entity`, with the entity's mesh target. Plan and apply may name the target of an entity
   * not yet annotated (`onboarding`): that is a claim on a host, so it needs the update
   * permission and a host no other catalog entity names. Every change passes the write authority
   * here, whichever route it came by: who may write for the entity, and whether the entity may
   * write the host (`adopt`: a mesh admin adopting a contested host for it).
   */
  async target(
    req: express.Request,
    permission = meshTrafficReadPermission,
    onboarding?: OnboardingTarget,
    options: { adopt?: boolean; stop?: boolean } = {},
  ) {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return this.targetFor(
      credentials,
      entityRefOf(req),
      permission,
      onboarding,
      options,
    );
  }

  /** As `target`, for credentials and an entity ref already known (an action's caller and input). */
  async targetFor(
    credentials: BackstageCredentials,
    entityRef: string,
    permission = meshTrafficReadPermission,
    onboarding?: OnboardingTarget,
    options: { adopt?: boolean; stop?: boolean } = {},
  ) {
    const needed =
      onboarding === undefined ? permission : meshTrafficUpdatePermission;
    const { entity } = await this.entityFor(credentials, entityRef, needed);
    const target = targetOf(entity, onboarding);
    const mesh = this.deps.state.meshFor(target);
    if (onboarding !== undefined) {
      const others = await this.deps.claims.otherClaimants(target);
      if (others.length) {
        throw new ConflictError(
          `${target.service} in ${target.namespace} (mesh ${
            target.mesh
          }) is already claimed by ${others.join(
            ', ',
          )}; it cannot be onboarded again`,
        );
      }
    }
    const write =
      needed === meshTrafficUpdatePermission
        ? await this.deps.authority.checkWrite(
            credentials,
            entity,
            target,
            mesh,
            { ...options, actor: actorOf(credentials) },
          )
        : {};
    return {
      credentials,
      entityRef,
      entity,
      target,
      mesh,
      /** Records a mesh admin's adoption of a contested host: call it once the change landed. */
      adopted: write.adopted,
    };
  }
}

/** The entity a route's path names: `/entities/:kind/:namespace/:name`. */
export function entityRefOf(req: express.Request): string {
  return stringifyEntityRef({
    kind: req.params.kind,
    namespace: req.params.namespace,
    name: req.params.name,
  });
}
