import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  applyRequestSchema,
  ClassifiedObject,
  rolloutActionRequestSchema,
  meshStatusReadPermission,
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  metricsQuerySchema,
  canaryQuerySchema,
  planRequestSchema,
  PlanResponse,
  removeRequestSchema,
  rollbackRequestSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import Router from 'express-promise-router';
import { MeshStore } from './database/MeshStore';
import { auditedChange } from './http/auditedChange';
import { RequestAccess } from './http/RequestAccess';
import { visibleStatus, withReadableClaimants } from './http/visibleStatus';
import {
  actorOf,
  answerApply,
  invalidIntentBody,
  parsed,
  taskIdOf,
} from './http/requestParts';
import { HostClaims } from './ownership/HostClaims';
import { OwnershipGuard } from './ownership/OwnershipGuard';
import { WriteAuthority } from './ownership/WriteAuthority';
import { ClusterRegistry } from './kubernetes/ClusterRegistry';
import { EntityPageView } from './views/EntityPageView';
import { MeshApplier } from './apply/MeshApplier';
import { MeshPlanner } from './plan/MeshPlanner';
import { LiveStateReader } from './read/LiveStateReader';
import { CanaryAnalyst } from './analysis/CanaryAnalyst';
import { MeshStatusView } from './views/MeshStatusView';
import { HostMetrics } from './telemetry/HostMetrics';
import { RolloutConductor } from './rollout/RolloutConductor';

/**
 * What the routes need of each service: small interfaces, so a route's test can stand in for a
 * service with a function or two.
 */
export interface RouterOptions {
  auditor: AuditorService;
  guard: Pick<OwnershipGuard, 'checkAdoption'>;
  authority: Pick<WriteAuthority, 'checkWrite' | 'standing'>;
  claims: HostClaims;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  clusters: Pick<ClusterRegistry, 'describe'>;
  state: Pick<LiveStateReader, 'meshFor'>;
  status: Pick<EntityPageView, 'get'>;
  planner: Pick<MeshPlanner, 'plan'>;
  applier: Pick<MeshApplier, 'apply' | 'remove'>;
  store: Pick<MeshStore, 'history' | 'entry'>;
  metrics: Pick<HostMetrics, 'traffic'>;
  analyst: Pick<CanaryAnalyst, 'stateFor'>;
  conductor: Pick<RolloutConductor, 'start' | 'act'>;
  meshStatus: Pick<MeshStatusView, 'status'>;
}

const ENTITY = '/entities/:kind/:namespace/:name';

/**
 * `/api/mesh`: routes and input checks only (bodies parsed with mesh-common's request schemas);
 * the services do the work. Reads need `mesh.traffic.read`, changes `mesh.traffic.update`.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  const access = new RequestAccess(options);
  readRoutes(router, options, access);
  changeRoutes(router, options, access);
  rolloutRoutes(router, options, access);
  return router;
}

function readRoutes(
  router: express.Router,
  options: RouterOptions,
  access: RequestAccess,
) {
  const { httpAuth, clusters, status, planner, store } = options;

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await clusters.describe());
  });

  router.get('/meshes/:mesh/status', async (req, res) => {
    const credentials = await access.basic(req, meshStatusReadPermission);
    const mesh = await options.meshStatus.status(req.params.mesh);
    res.json(await visibleStatus(mesh, options.catalog, credentials));
  });

  router.get(ENTITY, async (req, res) => {
    const { credentials, target, entity, mesh } = await access.target(req);
    const standingRead = options.authority
      .standing(entity, target, mesh)
      .catch(e => ({
        others: undefined,
        blocked: `who may write this host cannot be told now: ${e.message}`,
      }));
    // The other claimants the standing reads are the page's too: one catalog query.
    const [state, standing] = await Promise.all([
      status.get(target, { claimants: standingRead.then(s => s.others) }),
      standingRead,
    ]);
    res.json(
      await withReadableClaimants(
        standing.blocked ? { ...state, writeBlocked: standing.blocked } : state,
        options.catalog,
        credentials,
      ),
    );
  });

  router.post(`${ENTITY}/plan`, async (req, res) => {
    const body = parsed(planRequestSchema, req.body, 'plan request');
    const { target } = await access.target(
      req,
      meshTrafficReadPermission,
      body.onboarding,
    );
    const result = await planner.plan(target, body.intent, {
      adopt: body.adopt === true,
      expires: body.expires,
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

  router.get(`${ENTITY}/metrics`, async (req, res) => {
    const { target } = await access.target(req);
    const { window } = parsed(
      metricsQuerySchema,
      req.query,
      'metrics query (?window=5m)',
    );
    res.json(await options.metrics.traffic(target, window));
  });

  router.get(`${ENTITY}/history`, async (req, res) => {
    // History belongs to the entity, so an entity onboarded by a template has one before its annotations land.
    const { entityRef } = await access.entity(req, meshTrafficReadPermission);
    res.json({ items: await store.history(entityRef) });
  });

  router.get(`${ENTITY}/canary`, async (req, res) => {
    const { entityRef } = await access.entity(req, meshTrafficReadPermission);
    const { before } = parsed(
      canaryQuerySchema,
      req.query,
      'canary query (?before=<evaluation id>)',
    );
    res.json(await options.analyst.stateFor(entityRef, { before }));
  });
}

function changeRoutes(
  router: express.Router,
  options: RouterOptions,
  access: RequestAccess,
) {
  const { guard, applier, store } = options;
  const audited = auditedChange(options.auditor);

  router.post(`${ENTITY}/apply`, async (req, res) => {
    const outcome = await audited(req, 'traffic-apply', async () => {
      const body = parsed(applyRequestSchema, req.body, 'apply request');
      const { credentials, target, adopted } = await access.target(
        req,
        meshTrafficUpdatePermission,
        body.onboarding,
        { adopt: body.adopt === true },
      );
      const change = {
        target,
        actor: actorOf(credentials),
        intent: body.intent,
        revision: body.revision,
        expires: body.expires,
        adopt: body.adopt === true,
        scaffolderTaskId: taskIdOf(body, credentials),
        checkAdoption: (objects: ClassifiedObject[]) =>
          guard.checkAdoption(credentials, objects),
      };
      return afterLanding(
        await (body.rollout
          ? options.conductor.start({ ...change, rollout: body.rollout })
          : applier.apply(change)),
        adopted,
      );
    });
    answerApply(res, outcome);
  });

  router.delete(`${ENTITY}/intent`, async (req, res) => {
    const outcome = await audited(req, 'traffic-remove', async () => {
      const { credentials, target } = await access.target(
        req,
        meshTrafficUpdatePermission,
      );
      const { revision } = parsed(
        removeRequestSchema,
        req.query,
        'removal (DELETE .../intent?revision=<the revision you saw>)',
      );
      return applier.remove({ target, actor: actorOf(credentials), revision });
    });
    res.json(outcome);
  });

  router.post(`${ENTITY}/rollback`, async (req, res) => {
    const outcome = await audited(req, 'traffic-rollback', async () => {
      const body = parsed(rollbackRequestSchema, req.body, 'rollback request');
      const { credentials, entityRef, target, adopted } = await access.target(
        req,
        meshTrafficUpdatePermission,
        undefined,
        { adopt: body.adopt === true },
      );
      const entry = await store.entry(entityRef, body.to);
      if (!entry)
        throw new NotFoundError(`no history entry ${body.to} for ${entityRef}`);
      if (!entry.intentAfter)
        throw new InputError(
          `history entry ${body.to} removed the routing; there is no intent to go back to`,
        );
      return afterLanding(
        await applier.apply({
          target,
          actor: actorOf(credentials),
          intent: entry.intentAfter,
          revision: body.revision,
          adopt: body.adopt === true,
          action: 'rollback',
          checkAdoption: objects => guard.checkAdoption(credentials, objects),
        }),
        adopted,
      );
    });
    answerApply(res, outcome);
  });
}

/** A person's pause, resume, finish now or roll back of the host's rollout in progress. */
function rolloutRoutes(
  router: express.Router,
  options: RouterOptions,
  access: RequestAccess,
) {
  const audited = auditedChange(options.auditor);
  router.post(`${ENTITY}/rollout`, async (req, res) => {
    const state = await audited(req, 'traffic-rollout', async () => {
      const body = parsed(
        rolloutActionRequestSchema,
        req.body,
        'rollout action',
      );
      // Pausing and rolling back stop the entity's own rollout (the conductor checks it is its own).
      const stop = body.action === 'pause' || body.action === 'rollback';
      const { credentials, target } = await access.target(
        req,
        meshTrafficUpdatePermission,
        undefined,
        { stop },
      );
      return options.conductor.act(target, body.action, actorOf(credentials));
    });
    res.json(state);
  });
}

/** A mesh admin's adoption of a contested host is recorded only once the change landed. */
async function afterLanding<T extends { valid: boolean; ok?: boolean }>(
  outcome: T,
  adopted?: () => Promise<void>,
): Promise<T> {
  if (adopted && outcome.valid && outcome.ok) await adopted();
  return outcome;
}
