import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ApplyResponse,
  IntentIssue,
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  OnboardingTarget,
  applyRequestSchema,
  planRequestSchema,
  PlanResponse,
  removeRequestSchema,
  requestIssues,
  rollbackRequestSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import { z } from 'zod';
import Router from 'express-promise-router';
import { targetOf } from './onboarding';
import { HostClaims } from './ownership/HostClaims';
import { OwnershipGuard } from './ownership/OwnershipGuard';
import { ClusterRegistry } from './service/ClusterRegistry';
import { MeshStore } from './database/MeshStore';
import { ApplyOutcome, MeshApplier } from './service/MeshApplier';
import { MeshPlanner } from './service/MeshPlanner';
import { EntityStatus } from './service/EntityStatus';
import { MeshStateService } from './service/MeshStateService';

/**
 * A 400 in Backstage's error shape, plus every problem with its field path, so the UI can put
 * each message beside the field that caused it.
 */
function invalidIntentBody(issues: IntentIssue[]) {
  return {
    error: {
      name: 'InputError',
      message: `The intent is invalid: ${issues
        .map(i => `${i.path || '(intent)'}: ${i.message}`)
        .join('; ')}`,
    },
    response: { statusCode: 400 },
    issues,
  };
}

/** Who made a change, as history records it. */
function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user'
    ? p.userEntityRef!
    : `${p.type}:${p.subject ?? 'unknown'}`;
}

/** A request body (or query) as its schema in mesh-common says, or a 400 naming every bad field. */
function parsed<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new InputError(`invalid ${what}: ${requestIssues(result.error)}`);
  return result.data;
}

/**
 * The scaffolder task an apply came from, when a template made it: history tags the change with
 * it. Only a service acting on behalf of a user (the scaffolder's on-behalf-of token) may say so;
 * a person cannot pass their change off as a template's.
 */
function taskIdOf(
  body: { scaffolderTaskId?: string },
  credentials: BackstageCredentials,
): string | undefined {
  const id = body.scaffolderTaskId;
  if (id === undefined) return undefined;
  const actor = (credentials.principal as { actor?: { type: string } }).actor;
  if (actor?.type !== 'service') {
    throw new InputError(
      'scaffolderTaskId is accepted only from a service acting on behalf of a user (the scaffolder)',
    );
  }
  return id;
}

export interface RouterOptions {
  auditor: AuditorService;
  guard: OwnershipGuard;
  claims: HostClaims;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  clusters: ClusterRegistry;
  state: MeshStateService;
  status: EntityStatus;
  planner: MeshPlanner;
  applier: MeshApplier;
  store: MeshStore;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    auditor,
    guard,
    claims,
    httpAuth,
    permissions,
    catalog,
    clusters,
    state,
    status,
    planner,
    applier,
    store,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await clusters.describe());
  });

  /**
   * The caller's credentials and the catalog entity, once the permission allows it. Changes come
   * only from people: a user, or a service acting on behalf of one (its credentials are the user's).
   */
  async function authorizedEntity(
    req: express.Request,
    permission: ResourcePermission<'catalog-entity'>,
  ) {
    const allow: Array<'user' | 'service'> =
      permission === meshTrafficReadPermission ? ['user', 'service'] : ['user'];
    const credentials = await httpAuth.credentials(req, { allow });
    const entityRef = stringifyEntityRef({
      kind: req.params.kind,
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `you may not ${permission.attributes.action} the mesh routing of ${entityRef}`,
      );
    }
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) throw new NotFoundError(`no catalog entity ${entityRef}`);
    return { credentials, entityRef, entity };
  }

  /**
   * As authorizedEntity, with the entity's mesh target. Plan and apply may name the target of an
   * entity not yet annotated (`onboarding` in the body): that is a claim on a host, so it needs the
   * update permission and a host no other catalog entity names. Changing routing in a namespace a
   * mesh binds to owning groups needs membership of one of them.
   */
  async function authorizedTarget(
    req: express.Request,
    permission = meshTrafficReadPermission,
    onboarding?: OnboardingTarget,
  ) {
    const needed =
      onboarding === undefined ? permission : meshTrafficUpdatePermission;
    const { credentials, entityRef, entity } = await authorizedEntity(
      req,
      needed,
    );
    const target = targetOf(entity, onboarding);
    if (needed === meshTrafficUpdatePermission) {
      await guard.checkNamespace(
        credentials,
        state.meshFor(target),
        target.namespace,
      );
    }
    if (onboarding !== undefined) {
      const others = await claims.otherClaimants(target);
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
    return { credentials, entityRef, target };
  }

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const { target } = await authorizedTarget(req);
    res.json(await status.get(target));
  });

  router.post('/entities/:kind/:namespace/:name/plan', async (req, res) => {
    const body = parsed(planRequestSchema, req.body, 'plan request');
    const { target } = await authorizedTarget(
      req,
      meshTrafficReadPermission,
      body.onboarding,
    );
    const result = await planner.plan(target, body.intent, {
      adopt: body.adopt === true,
    });
    if (!result.valid) {
      res.status(400).json(invalidIntentBody(result.issues));
      return;
    }
    const response: PlanResponse = {
      valid: true,
      revision: result.live.revision,
      clusters: result.clusters,
      needsAdoption: result.needsAdoption,
      adopt: result.adopt,
      ...(result.blocked ? { blocked: result.blocked } : {}),
    };
    res.json(response);
  });

  /**
   * Every attempt to change a cluster is an audit event, refused ones included: who, which entity,
   * and the outcome per cluster or the reason it was refused.
   */
  async function audited<T extends ApplyOutcome | ApplyResponse>(
    req: express.Request,
    eventId: string,
    work: () => Promise<T>,
  ) {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: {
        entityRef: `${req.params.kind}:${req.params.namespace}/${req.params.name}`,
      },
    });
    try {
      const outcome = await work();
      if ('valid' in outcome && !outcome.valid) {
        await event.success({
          meta: { valid: false, issues: outcome.issues.map(i => i.path) },
        });
      } else {
        const r = outcome as ApplyResponse;
        await event.success({
          meta: {
            ok: r.ok,
            historyId: r.historyId,
            clusters: r.clusters.map(c => `${c.cluster}:${c.outcome}`),
          },
        });
      }
      return outcome;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  async function applyAndAnswer(res: express.Response, outcome: ApplyOutcome) {
    if (!outcome.valid) {
      res.status(400).json(invalidIntentBody(outcome.issues));
      return;
    }
    const { valid: _valid, ...response } = outcome;
    res.json(response satisfies ApplyResponse);
  }

  router.post('/entities/:kind/:namespace/:name/apply', async (req, res) => {
    const outcome = await audited(req, 'traffic-apply', async () => {
      const body = parsed(applyRequestSchema, req.body, 'apply request');
      const { credentials, target } = await authorizedTarget(
        req,
        meshTrafficUpdatePermission,
        body.onboarding,
      );
      return applier.apply({
        target,
        actor: actorOf(credentials),
        intent: body.intent,
        revision: body.revision,
        adopt: body.adopt === true,
        scaffolderTaskId: taskIdOf(body, credentials),
        checkAdoption: objects => guard.checkAdoption(credentials, objects),
      });
    });
    await applyAndAnswer(res, outcome);
  });

  router.delete('/entities/:kind/:namespace/:name/intent', async (req, res) => {
    res.json(
      await audited(req, 'traffic-remove', async () => {
        const { credentials, target } = await authorizedTarget(
          req,
          meshTrafficUpdatePermission,
        );
        const { revision } = parsed(
          removeRequestSchema,
          req.query,
          'removal (DELETE .../intent?revision=<the revision you saw>)',
        );
        return applier.remove({
          target,
          actor: actorOf(credentials),
          revision,
        });
      }),
    );
  });

  router.get('/entities/:kind/:namespace/:name/history', async (req, res) => {
    // History belongs to the entity, so an entity onboarded by a template has one before its annotations land.
    const { entityRef } = await authorizedEntity(
      req,
      meshTrafficReadPermission,
    );
    res.json({ items: await store.history(entityRef) });
  });

  router.post('/entities/:kind/:namespace/:name/rollback', async (req, res) => {
    const outcome = await audited(req, 'traffic-rollback', async () => {
      const body = parsed(rollbackRequestSchema, req.body, 'rollback request');
      const { credentials, entityRef, target } = await authorizedTarget(
        req,
        meshTrafficUpdatePermission,
      );
      const entry = await store.entry(entityRef, body.to);
      if (!entry)
        throw new NotFoundError(`no history entry ${body.to} for ${entityRef}`);
      if (!entry.intentAfter)
        throw new InputError(
          `history entry ${body.to} removed the routing; there is no intent to go back to`,
        );
      return applier.apply({
        target,
        actor: actorOf(credentials),
        intent: entry.intentAfter,
        revision: body.revision,
        adopt: body.adopt === true,
        action: 'rollback',
        checkAdoption: objects => guard.checkAdoption(credentials, objects),
      });
    });
    await applyAndAnswer(res, outcome);
  });

  return router;
}
