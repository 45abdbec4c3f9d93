import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  applyRequestSchema,
  rolloutActionRequestSchema,
  meshTrafficReadPermission,
  meshTrafficUpdatePermission,
  metricsQuerySchema,
  serviceAccountsQuerySchema,
  canaryQuerySchema,
  planRequestSchema,
  removeRequestSchema,
  rollbackRequestSchema,
} from '@meshtraffic/backstage-plugin-mesh-common';
import express from 'express';
import Router from 'express-promise-router';
import { auditedChange } from './http/auditedChange';
import {
  Caller,
  MeshOperations,
  MeshOperationsOptions,
} from './http/MeshOperations';
import { entityRefOf, RequestAccess } from './http/RequestAccess';
import {
  actorOf,
  answerApply,
  invalidIntentBody,
  parsed,
} from './http/requestParts';
import { HostClaims } from './ownership/HostClaims';
import { WriteAuthority } from './ownership/WriteAuthority';
import { ClusterRegistry } from './kubernetes/ClusterRegistry';
import { LiveStateReader } from './read/LiveStateReader';
import { CanaryAnalyst } from './analysis/CanaryAnalyst';
import { RolloutConductor } from './rollout/RolloutConductor';

/**
 * What the routes need of each service: small interfaces, so a route's test can stand in for a
 * service with a function or two.
 */
export interface RouterOptions extends Omit<MeshOperationsOptions, 'access'> {
  authority: Pick<WriteAuthority, 'checkWrite' | 'standing'>;
  claims: HostClaims;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  clusters: Pick<ClusterRegistry, 'describe'>;
  state: Pick<LiveStateReader, 'meshFor'>;
  analyst: Pick<CanaryAnalyst, 'stateFor'>;
  conductor: Pick<RolloutConductor, 'start' | 'act'>;
}

const ENTITY = '/entities/:kind/:namespace/:name';

/**
 * `/api/mesh`: routes and input checks only (bodies parsed with mesh-common's request schemas);
 * the operations, the same door the Actions Registry's actions use, do the work. Reads need
 * `mesh.traffic.read`, changes `mesh.traffic.update`.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  const access = new RequestAccess(options);
  const operations = new MeshOperations({ ...options, access });
  const callerOf = async (req: express.Request): Promise<Caller> => ({
    credentials: await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });
  readRoutes(router, options, access, operations, callerOf);
  changeRoutes(router, operations, callerOf);
  rolloutRoutes(router, options, access);
  return router;
}

type CallerOf = (req: express.Request) => Promise<Caller>;

function readRoutes(
  router: express.Router,
  options: RouterOptions,
  access: RequestAccess,
  operations: MeshOperations,
  callerOf: CallerOf,
) {
  const { httpAuth, clusters } = options;

  router.get('/clusters', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(await clusters.describe());
  });

  router.get('/meshes/:mesh/status', async (req, res) => {
    res.json(await operations.meshStatus(await callerOf(req), req.params.mesh));
  });

  router.get('/meshes/:mesh/service-accounts', async (req, res) => {
    const { workload } = parsed(
      serviceAccountsQuerySchema,
      req.query,
      'service accounts query (?workload=namespace/service)',
    );
    res.json(
      await operations.serviceAccounts(
        await callerOf(req),
        req.params.mesh,
        workload,
      ),
    );
  });

  router.get(ENTITY, async (req, res) => {
    res.json(await operations.state(await callerOf(req), entityRefOf(req)));
  });

  router.post(`${ENTITY}/plan`, async (req, res) => {
    const body = parsed(planRequestSchema, req.body, 'plan request');
    const plan = await operations.plan(
      await callerOf(req),
      entityRefOf(req),
      body,
    );
    if (!plan.valid) {
      res.status(400).json(invalidIntentBody(plan.issues));
      return;
    }
    res.json(plan);
  });

  // Live traffic and the service graph: both read the mesh's Prometheus over ?window.
  const windowed = {
    metrics: operations.traffic.bind(operations),
    graph: operations.graph.bind(operations),
  };
  for (const [route, read] of Object.entries(windowed))
    router.get(`${ENTITY}/${route}`, async (req, res) => {
      const caller = await callerOf(req);
      const { window } = parsed(
        metricsQuerySchema,
        req.query,
        `${route} query (?window=5m)`,
      );
      res.json(await read(caller, entityRefOf(req), window));
    });

  router.get(`${ENTITY}/history`, async (req, res) => {
    res.json(await operations.history(await callerOf(req), entityRefOf(req)));
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
  operations: MeshOperations,
  callerOf: CallerOf,
) {
  router.post(`${ENTITY}/apply`, async (req, res) => {
    const outcome = await operations.apply(
      await callerOf(req),
      entityRefOf(req),
      () => parsed(applyRequestSchema, req.body, 'apply request'),
    );
    answerApply(res, outcome);
  });

  router.delete(`${ENTITY}/intent`, async (req, res) => {
    const outcome = await operations.remove(
      await callerOf(req),
      entityRefOf(req),
      () =>
        parsed(
          removeRequestSchema,
          req.query,
          'removal (DELETE .../intent?revision=<the revision you saw>)',
        ),
    );
    res.json(outcome);
  });

  router.post(`${ENTITY}/rollback`, async (req, res) => {
    const outcome = await operations.rollback(
      await callerOf(req),
      entityRefOf(req),
      () => parsed(rollbackRequestSchema, req.body, 'rollback request'),
    );
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
    const origin = { entityRef: entityRefOf(req), request: req };
    const state = await audited(origin, 'traffic-rollout', async () => {
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
