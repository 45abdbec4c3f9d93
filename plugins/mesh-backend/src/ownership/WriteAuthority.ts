import {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { WriteAccess } from '../config/writeAccess';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { MeshTarget } from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';
import { HostAssignment, HostAssignments } from '../database/HostAssignments';
import { hostKey, MeshStore } from '../database/MeshStore';
import { HostClaims } from './HostClaims';
import { ownershipRefs } from './ownershipRefs';
import { NamespaceBinding, NamespaceBindings } from './NamespaceBindings';

/** Where an entity stands on the host its annotations name, whoever is asking. */
export interface HostStanding {
  binding?: NamespaceBinding;
  /** Other catalog entities whose annotations name the host. */
  others: string[];
  assignment?: HostAssignment;
  /** Why this entity may not write the host now (nobody but a mesh admin can change that), if so. */
  blocked?: string;
  /** The namespace is bound to groups that do not own this entity. */
  outsideBinding?: boolean;
}

/** The groups (and users) that own an entity: its `spec.owner` and its ownedBy relations. */
export function entityOwners(entity: Entity): string[] {
  const refs = new Set<string>();
  const owner = entity.spec?.owner;
  if (typeof owner === 'string' && owner) {
    try {
      refs.add(
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ),
      );
    } catch {
      // An unparseable owner owns nothing.
    }
  }
  for (const r of entity.relations ?? [])
    if (r.type === RELATION_OWNED_BY) refs.add(r.targetRef);
  return [...refs].sort();
}

/** Why another entity may not write a host while a rollout or canary it did not start runs there. */
function automationRefusal(
  target: MeshTarget,
  running: { entityRef: string; what: string },
) {
  return `${running.what} of ${target.service} in ${target.namespace} was started by ${running.entityRef}; only who may change ${running.entityRef}'s routing steers it, from its page`;
}

/**
 * The one check every write of a host's routing passes (apply, canary and rollout starts,
 * rollback, delete, rollout steering, the scaffolder's actions, which call the same routes):
 * who may write for the entity, and whether the entity may write the host at all. A host's
 * writer is decided by what no team can grant itself: the namespace's binding to owning groups
 * (the mesh config, or the namespace on the clusters), else a host claimed by one entity only,
 * else a mesh admin's adoption for one of its claimants.
 */
export class WriteAuthority {
  constructor(
    private readonly deps: {
      userInfo: UserInfoService;
      adminGroup?: string;
      writeAccess: WriteAccess;
      bindings: Pick<NamespaceBindings, 'bindingOf'>;
      claims: HostClaims;
      assignments: Pick<HostAssignments, 'get' | 'assign'>;
      /** The automation running on a host and the entity that started it. */
      automation?: Pick<MeshStore, 'automationOn'>;
    },
  ) {}

  private adminsPhrase() {
    return this.deps.adminGroup
      ? `a mesh admin (${this.deps.adminGroup})`
      : 'a mesh admin (mesh.adminGroup, not configured)';
  }

  /** The entity's standing on its host, read from the config, the clusters, the catalog and the database. */
  async standing(
    entity: Entity,
    target: MeshTarget,
    mesh: MeshConfig,
  ): Promise<HostStanding> {
    return this.standingWith(entity, target, mesh, this.automationOn(target));
  }

  /** The automation running on the host (a rollout or automatic canary) and who started it. */
  private async automationOn(target: MeshTarget) {
    return this.deps.automation?.automationOn(hostKey(target));
  }

  /** As `standing`, with the host's automation already asked for (a write checks it first). */
  private async standingWith(
    entity: Entity,
    target: MeshTarget,
    mesh: MeshConfig,
    automation: ReturnType<WriteAuthority['automationOn']>,
  ): Promise<HostStanding> {
    const [binding, others, assignment, running] = await Promise.all([
      this.deps.bindings.bindingOf(mesh, target.namespace),
      this.deps.claims.otherClaimants(target),
      this.deps.assignments.get(hostKey(target)),
      automation,
    ]);
    const standing: HostStanding = {
      ...(binding ? { binding } : {}),
      others,
      ...(assignment ? { assignment } : {}),
    };
    const where = `${target.service} in ${target.namespace} (mesh ${target.mesh})`;
    if (binding) {
      const owners = entityOwners(entity);
      if (!binding.owners.some(o => owners.includes(o))) {
        standing.outsideBinding = true;
        standing.blocked = `namespace ${target.namespace} of mesh ${
          mesh.id
        } belongs to ${binding.owners.join(', ')} (${binding.source}); ${
          target.entityRef
        } is owned by ${
          owners.join(', ') || 'nobody'
        }, so it may not write ${where}`;
        return standing;
      }
    }
    // Another entity's rollout or canary on the host: the page says so before a write is tried.
    if (running && running.entityRef !== target.entityRef) {
      standing.blocked = automationRefusal(target, running);
      return standing;
    }
    if (!others.length || assignment?.entityRef === target.entityRef)
      return standing;
    standing.blocked = assignment
      ? `${where} was adopted for ${assignment.entityRef} by ${assignment.assignedBy}; ${target.entityRef} claims it too and may not write it`
      : `${where} is also claimed by ${others.join(', ')}, and ${
          binding
            ? 'the namespace binding does not tell them apart'
            : 'no namespace binding says whose it is'
        }: none of them writes it until the other claims are removed or ${this.adminsPhrase()} adopts it for one`;
    return standing;
  }

  /**
   * A rollout or automatic canary running on the host is steered only through the entity that
   * started it (pause, resume, finish, roll back, a canary's step, promote or abort, and any other
   * write, which would change what it stands on), whoever else names the host. A mesh admin's
   * adoption for another entity goes ahead: the automation then waits, as its standing says.
   */
  private async checkAutomation(
    target: MeshTarget,
    automation: ReturnType<WriteAuthority['automationOn']>,
    adopting: boolean,
  ) {
    const running = await automation;
    if (!running || running.entityRef === target.entityRef || adopting) return;
    throw new NotAllowedError(automationRefusal(target, running));
  }

  /**
   * Refuses the write unless the caller may change the entity's routing (its owners and the
   * admins, unless the policy decides) and the entity may write its host. A mesh admin's write
   * with `adopt` to a contested host adopts the host for this entity: the answer's `adopted`
   * records that, to be called once the change has landed (a refused change adopts nothing).
   */
  async checkWrite(
    credentials: BackstageCredentials,
    entity: Entity,
    target: MeshTarget,
    mesh: MeshConfig,
    options: {
      adopt?: boolean;
      actor: string;
      /**
       * Stopping the entity's own automation (pausing or rolling back the rollout it started):
       * its owners may always do that, even after the host became contested or its namespace
       * was bound to others, or they could not stop a bad change.
       */
      stop?: boolean;
    },
  ): Promise<{ adopted?: () => Promise<void> }> {
    const ownership = await ownershipRefs(this.deps.userInfo, credentials);
    const admin = Boolean(
      this.deps.adminGroup && ownership.includes(this.deps.adminGroup),
    );
    const owners = entityOwners(entity);
    if (
      this.deps.writeAccess === 'owners' &&
      !admin &&
      !owners.some(o => ownership.includes(o))
    )
      throw new NotAllowedError(
        `only the owners of ${target.entityRef} (${
          owners.join(', ') || 'none recorded'
        }) and ${this.adminsPhrase()} may change its mesh routing`,
      );
    const automation = this.automationOn(target);
    await this.checkAutomation(
      target,
      automation,
      admin && options.adopt === true,
    );
    if (options.stop) return {};
    const standing = await this.standingWith(entity, target, mesh, automation);
    if (standing.binding && !admin) {
      if (standing.outsideBinding) throw new NotAllowedError(standing.blocked!);
      if (!standing.binding.owners.some(o => ownership.includes(o)))
        throw new NotAllowedError(
          `namespace ${target.namespace} of mesh ${
            mesh.id
          } belongs to ${standing.binding.owners.join(
            ', ',
          )}; only their members and ${this.adminsPhrase()} may change routing there`,
        );
    }
    // A mesh admin writes for an entity outside the binding without adopting anything.
    if (standing.outsideBinding || !standing.blocked) return {};
    if (admin && options.adopt)
      return {
        adopted: () =>
          this.deps.assignments.assign(
            hostKey(target),
            target.entityRef,
            options.actor,
          ),
      };
    throw new ConflictError(standing.blocked);
  }
}
