import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApplyRequest,
  ClassifiedObject,
  meshStatusReadPermission,
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  MeshTarget,
  PlanRequest,
  PlanResponse,
  RollbackRequest,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import { ApplyOutcome, MeshApplier } from '../apply/MeshApplier';
import { MeshStore } from '../database/MeshStore';
import { OwnershipGuard } from '../ownership/OwnershipGuard';
import { WriteAuthority } from '../ownership/WriteAuthority';
import { MeshPlanner } from '../plan/MeshPlanner';
import { AccessChange, accessChangeOf } from '../plan/accessChange';
import { CallerIdentities } from '../read/CallerIdentities';
import { RolloutConductor } from '../rollout/RolloutConductor';
import { AccessPreviewer } from '../telemetry/AccessPreviewer';
import { HostMetrics } from '../telemetry/HostMetrics';
import { MeshConfig } from '../config/readMeshConfig';
import { EntityPageView } from '../views/EntityPageView';
import { MeshStatusView } from '../views/MeshStatusView';
import { auditedChange, ChangeOrigin } from './auditedChange';
import { RequestAccess } from './RequestAccess';
import { actorOf, taskIdOf } from './requestParts';
import { visibleStatus, withReadableClaimants } from './visibleStatus';

/** Who is asking and how they came: a route's request, or an action of the Actions Registry. */
export interface Caller {
  credentials: BackstageCredentials;
  /** The route's request, for the audit event to name its caller as Backstage's auditor does. */
  request?: express.Request;
  /** The action's id (`mesh:apply-traffic-change`): history and the audit event record it. */
  viaAction?: string;
}

export interface MeshOperationsOptions {
  auditor: AuditorService;
  access: RequestAccess;
  catalog: CatalogService;
  guard: Pick<OwnershipGuard, 'checkAdoption'>;
  authority: Pick<WriteAuthority, 'standing'>;
  status: Pick<EntityPageView, 'get'>;
  planner: Pick<MeshPlanner, 'plan'>;
  applier: Pick<MeshApplier, 'apply' | 'remove'>;
  store: Pick<MeshStore, 'history' | 'entry'>;
  metrics: Pick<HostMetrics, 'traffic' | 'graph'>;
  conductor: Pick<RolloutConductor, 'start'>;
  meshStatus: Pick<MeshStatusView, 'status'>;
  accessPreviewer: Pick<AccessPreviewer, 'preview' | 'confirm'>;
  callerIdentities: Pick<CallerIdentities, 'read'>;
}

/**
 * The one door to a service's routing: the REST routes and the Actions Registry's actions (an
 * agent over MCP) both come through here, so both get the same permission checks, write
 * authority, audit events, transaction and history. Inputs arrive parsed by mesh-common's
 * schemas; what comes back is what the REST API answers.
 */
export class MeshOperations {
  private readonly audited: ReturnType<typeof auditedChange>;

  constructor(private readonly options: MeshOperationsOptions) {
    this.audited = auditedChange(options.auditor);
  }

  /** The service's target, per cluster its workloads and routing, its intent and revision. */
  async state(caller: Caller, entityRef: string) {
    const { access, authority, catalog } = this.options;
    const { credentials, target, entity, mesh } = await access.targetFor(
      caller.credentials,
      entityRef,
    );
    const standingRead = authority.standing(entity, target, mesh).catch(e => ({
      others: undefined,
      blocked: `who may write this host cannot be told now: ${e.message}`,
    }));
    // The other claimants the standing reads are the page's too: one catalog query.
    const [state, standing] = await Promise.all([
      this.options.status.get(target, {
        claimants: standingRead.then(s => s.others),
      }),
      standingRead,
    ]);
    return withReadableClaimants(
      standing.blocked ? { ...state, writeBlocked: standing.blocked } : state,
      catalog,
      credentials,
    );
  }

  /** The per-cluster changes, diffs and dry-run verdicts an intent would make, or every problem of it. */
  async plan(
    caller: Caller,
    entityRef: string,
    body: PlanRequest,
  ): Promise<PlanResponse | Extract<ApplyOutcome, { valid: false }>> {
    const { target } = await this.options.access.targetFor(
      caller.credentials,
      entityRef,
      meshTrafficReadPermission,
      body.onboarding,
    );
    const result = await this.options.planner.plan(target, body.intent, {
      adopt: body.adopt === true,
      expires: body.expires,
    });
    if (!result.valid) return result;
    const accessChange = accessChangeOf(result.live, result.intent.access);
    return {
      valid: true,
      revision: result.live.revision,
      clusters: result.clusters,
      needsAdoption: result.needsAdoption,
      adopt: result.adopt,
      ...(result.blocked ? { blocked: result.blocked } : {}),
      ...(accessChange
        ? {
            access: await this.options.accessPreviewer.preview(
              target,
              result.live.mesh,
              accessChange,
            ),
          }
        : {}),
    };
  }

  /** The check a person's change of who may call passes: every caller it turns away named. */
  private accessGate(
    target: MeshTarget,
    mesh: MeshConfig,
    confirmed: string[] | undefined,
  ) {
    return (change: AccessChange) =>
      this.options.accessPreviewer.confirm(target, mesh, change, confirmed);
  }

  /**
   * Writes an intent planned against `revision` (409 when stale), at once or as a rollout in waves.
   * Bodies are read inside the audit event: a refused request is audited like a change.
   */
  async apply(caller: Caller, entityRef: string, read: () => ApplyRequest) {
    return this.audited(
      this.origin(caller, entityRef),
      'traffic-apply',
      async () => {
        const body = read();
        const { credentials, target, mesh, adopted } = await this.writeTarget(
          caller,
          entityRef,
          body,
        );
        const change = {
          target,
          actor: actorOf(credentials),
          intent: body.intent,
          revision: body.revision,
          expires: body.expires,
          adopt: body.adopt === true,
          scaffolderTaskId: taskIdOf(body, credentials),
          viaAction: caller.viaAction,
          checkAdoption: (objects: ClassifiedObject[]) =>
            this.options.guard.checkAdoption(credentials, objects),
          checkAccess: this.accessGate(target, mesh, body.confirmDenied),
        };
        return afterLanding(
          await (body.rollout
            ? this.options.conductor.start({
                ...change,
                rollout: body.rollout,
              })
            : this.options.applier.apply(change)),
          adopted,
        );
      },
    );
  }

  /** Puts back the intent a history entry left, against the revision the caller saw. */
  async rollback(
    caller: Caller,
    entityRef: string,
    read: () => RollbackRequest,
  ) {
    return this.audited(
      this.origin(caller, entityRef),
      'traffic-rollback',
      async () => {
        const body = read();
        const { credentials, target, mesh, adopted } = await this.writeTarget(
          caller,
          entityRef,
          body,
        );
        const entry = await this.options.store.entry(entityRef, body.to);
        if (!entry)
          throw new NotFoundError(
            `no history entry ${body.to} for ${entityRef}`,
          );
        if (!entry.intentAfter)
          throw new InputError(
            `history entry ${body.to} removed the routing; there is no intent to go back to`,
          );
        return afterLanding(
          await this.options.applier.apply({
            target,
            actor: actorOf(credentials),
            intent: entry.intentAfter,
            revision: body.revision,
            adopt: body.adopt === true,
            action: 'rollback',
            viaAction: caller.viaAction,
            checkAdoption: objects =>
              this.options.guard.checkAdoption(credentials, objects),
            checkAccess: this.accessGate(target, mesh, body.confirmDenied),
          }),
          adopted,
        );
      },
    );
  }

  /** Removes the entity's routing objects, VirtualService first, against the revision the caller saw. */
  async remove(
    caller: Caller,
    entityRef: string,
    read: () => { revision: string; confirmDenied?: string[] },
  ) {
    return this.audited(
      this.origin(caller, entityRef),
      'traffic-remove',
      async () => {
        const { credentials, target, mesh } =
          await this.options.access.targetFor(
            caller.credentials,
            entityRef,
            meshTrafficUpdatePermission,
          );
        const { revision, confirmDenied } = read();
        return this.options.applier.remove({
          target,
          actor: actorOf(credentials),
          revision,
          checkAccess: this.accessGate(target, mesh, confirmDenied),
        });
      },
    );
  }

  /** The entity's changes, newest first. */
  async history(caller: Caller, entityRef: string) {
    // History belongs to the entity, so an entity onboarded by a template has one before its annotations land.
    await this.options.access.entityFor(
      caller.credentials,
      entityRef,
      meshTrafficReadPermission,
    );
    return { items: await this.options.store.history(entityRef) };
  }

  /** Live traffic per cluster and version over a window, beside the configured split. */
  async traffic(caller: Caller, entityRef: string, window: string) {
    const { target } = await this.options.access.targetFor(
      caller.credentials,
      entityRef,
    );
    return this.options.metrics.traffic(target, window);
  }

  /** The service's callers and callees over a window, per cluster and version. */
  async graph(caller: Caller, entityRef: string, window: string) {
    const { target } = await this.options.access.targetFor(
      caller.credentials,
      entityRef,
    );
    return this.options.metrics.graph(target, window);
  }

  /** A mesh's clusters, control planes and routed services, as this caller may see them. */
  async meshStatus(caller: Caller, mesh: string) {
    await this.options.access.basicFor(
      caller.credentials,
      meshStatusReadPermission,
    );
    const status = await this.options.meshStatus.status(mesh);
    return visibleStatus(status, this.options.catalog, caller.credentials);
  }

  /**
   * Who each of a mesh's services runs as, for the access rules a person picks callers for: the
   * same permission as the mesh's status page, which shows its namespaces and services.
   */
  async serviceAccounts(caller: Caller, mesh: string, workloads: string[]) {
    await this.options.access.basicFor(
      caller.credentials,
      meshStatusReadPermission,
    );
    return this.options.callerIdentities.read(
      mesh,
      workloads.map(w => {
        const [namespace, service] = w.split('/');
        return { namespace, service };
      }),
    );
  }

  /** The target a change writes, once the caller may write it (adopting, when the body says so). */
  private writeTarget(
    caller: Caller,
    entityRef: string,
    body: { adopt?: boolean; onboarding?: ApplyRequest['onboarding'] },
  ) {
    return this.options.access.targetFor(
      caller.credentials,
      entityRef,
      meshTrafficUpdatePermission,
      body.onboarding,
      { adopt: body.adopt === true },
    );
  }

  private origin(caller: Caller, entityRef: string): ChangeOrigin {
    return caller.request
      ? { entityRef, request: caller.request }
      : {
          entityRef,
          actor: actorOf(caller.credentials),
          viaAction: caller.viaAction,
        };
  }
}

/** A mesh admin's adoption of a contested host is recorded only once the change landed. */
async function afterLanding<T extends { valid: boolean; ok?: boolean }>(
  outcome: T,
  adopted?: () => Promise<void>,
): Promise<T> {
  if (adopted && outcome.valid && outcome.ok) await adopted();
  return outcome;
}
