import {
  BackendPluginRegistrationPoints,
  coreServices,
  createBackendPlugin,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshPermissions } from '@meshtraffic/backstage-plugin-mesh-common';
import {
  meshAuthStrategyExtensionPoint,
  meshClusterSupplierExtensionPoint,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { MeshExtensions } from './config/MeshExtensions';
import {
  meshesWithoutBindings,
  MeshPluginConfig,
  readMeshConfig,
  unverifiedClusters,
} from './config/readMeshConfig';
import { NamespaceBindings } from './ownership/NamespaceBindings';
import { entityOwners, WriteAuthority } from './ownership/WriteAuthority';
import { CatalogHostClaims } from './ownership/HostClaims';
import { OwnershipGuard } from './ownership/OwnershipGuard';
import { createRouter } from './router';
import { ChangeRecovery } from './apply/ChangeRecovery';
import { createMeshServices } from './wiring';
import { MeshStore } from './database/MeshStore';
import { HostStandingCheck } from './ownership/hostStanding';
import { registerMeshActions } from './actions/meshActions';
import { MeshOperations } from './http/MeshOperations';
import { RequestAccess } from './http/RequestAccess';

/**
 * The mesh backend plugin: holds cluster credentials and serves `/api/mesh`.
 *
 * @public
 */
export const meshPlugin = createBackendPlugin({
  pluginId: 'mesh',
  register(env) {
    const extensions = registerExtensionPoints(env);
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        database: coreServices.database,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const {
          config,
          logger,
          catalog,
          auth,
          permissions,
          userInfo,
          database,
        } = deps;
        const meshConfig = readMeshConfig(
          config,
          await extensions.resolve(config),
        );
        describeConfig(meshConfig, logger);
        deps.permissionsRegistry.addPermissions(meshPermissions);
        const claims = new CatalogHostClaims(catalog, auth);
        const guard = new OwnershipGuard(
          permissions,
          userInfo,
          meshConfig.adminGroup,
          meshConfig.writeAccess,
          async entityRef => {
            const entity = await catalog.getEntityByRef(entityRef, {
              credentials: await auth.getOwnServiceCredentials(),
            });
            return entity ? entityOwners(entity) : undefined;
          },
        );
        // Bound once the write authority exists: it reads through the services' clusters.
        const late: { standing?: HostStandingCheck } = {};
        const services = await createMeshServices({
          config: meshConfig,
          database,
          claims,
          logger,
          standing: target =>
            late.standing?.(target) ?? Promise.resolve(undefined),
        });
        // The clusters' watch caches sync while the rest of the backend starts, and stop with it.
        services.registry.warm();
        deps.lifecycle.addShutdownHook(() => services.registry.close());
        const authority = new WriteAuthority({
          userInfo,
          adminGroup: meshConfig.adminGroup,
          writeAccess: meshConfig.writeAccess,
          bindings: new NamespaceBindings(services.registry),
          claims,
          assignments: services.store.assignments,
          automation: services.store,
        });
        late.standing = async target => {
          const entity = await catalog.getEntityByRef(target.entityRef, {
            credentials: await auth.getOwnServiceCredentials(),
          });
          if (!entity) return `${target.entityRef} is no longer in the catalog`;
          const mesh = services.registry.mesh(target.mesh);
          if (!mesh) return `mesh ${target.mesh} is no longer configured`;
          // Not knowing is not permission: the automation waits.
          return authority.standing(entity, target, mesh).then(
            s => s.blocked,
            e => `who may write the host cannot be told now: ${e.message}`,
          );
        };
        await scheduleRecovery(
          deps.scheduler,
          services.recovery,
          meshConfig,
          logger,
        );
        const frequent: Array<[string, DueWork]> = [
          [
            'mesh-canary-analysis',
            (now, signal) => services.analyst.evaluateDue(now, signal),
          ],
          [
            'mesh-rollouts',
            (now, signal) => services.conductor.advanceDue(now, signal),
          ],
          [
            'mesh-expiries',
            (now, signal) => services.expiries.expireDue(now, signal),
          ],
        ];
        for (const [id, work] of frequent)
          await scheduleFrequent(
            deps.scheduler,
            id,
            meshConfig,
            services.store,
            work,
          );
        const routes = {
          ...deps,
          ...services,
          clusters: services.registry,
          guard,
          authority,
          claims,
        };
        deps.httpRouter.use(await createRouter(routes));
        // Agents (MCP clients) come in through the same operations as the routes.
        registerMeshActions(
          deps.actionsRegistry,
          new MeshOperations({ ...routes, access: new RequestAccess(routes) }),
        );
      },
    });
  },
});

/** The extension points of `@meshtraffic/backstage-plugin-mesh-node`, collected until init. */
function registerExtensionPoints(env: BackendPluginRegistrationPoints) {
  const extensions = new MeshExtensions();
  env.registerExtensionPoint(meshAuthStrategyExtensionPoint, {
    addAuthStrategy: (key, strategy) =>
      extensions.addAuthStrategy(key, strategy),
  });
  env.registerExtensionPoint(meshClusterSupplierExtensionPoint, {
    addClusterSupplier: supplier => extensions.addClusterSupplier(supplier),
  });
  return extensions;
}

/** What the config amounts to, and the one setting that sends credentials unchecked. */
function describeConfig(config: MeshPluginConfig, logger: LoggerService) {
  for (const cluster of unverifiedClusters(config)) {
    logger.warn(
      `mesh: cluster ${cluster} has skipTLSVerify set: its credentials go to whoever answers at its URL; use caData or caFile outside development`,
    );
  }
  for (const mesh of meshesWithoutBindings(config)) {
    logger.warn(
      `mesh: mesh ${mesh} binds no namespace to owning groups (mesh.meshes[].namespaces[].owners): outside namespaces labelled on the clusters (mesh.meshtraffic.io/owners), the first catalog entity to name an unclaimed host may write its routing`,
    );
  }
  if (config.writeAccess === 'permission-policy')
    logger.warn(
      'mesh: mesh.writeAccess is permission-policy: the permission policy alone decides who changes routing; with the allow-all policy, anyone signed in can',
    );
  const clusters = config.meshes.reduce((n, m) => n + m.clusters.length, 0);
  logger.info(
    `mesh: ${config.meshes.length} mesh(es), ${clusters} cluster(s) configured`,
  );
}

/**
 * Changes a dead replica left pending are resolved by reading the clusters: at startup
 * (initialDelay 0) and then regularly, by one replica at a time.
 */
async function scheduleRecovery(
  scheduler: SchedulerService,
  recovery: ChangeRecovery,
  config: MeshPluginConfig,
  logger: LoggerService,
) {
  await scheduler.scheduleTask({
    id: 'mesh-resolve-interrupted-changes',
    frequency: { seconds: Math.max(30, config.changeLockTtlMs / 1000) },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 0 },
    fn: async () => {
      const resolved = await recovery.resolveAbandoned();
      if (resolved)
        logger.info(
          `mesh: resolved ${resolved} change(s) left pending by a stopped writer`,
        );
    },
  });
}

/** Scheduled work on what is due by the database's clock, stopping when the scheduler gives up. */
type DueWork = (now: number, signal: AbortSignal) => Promise<unknown>;

/**
 * Work the scheduler runs by one replica at a time, every `mesh.canaryCheckSeconds`: automatic
 * canaries whose interval is over, rollouts whose bake is over, risky parts whose time is up. What is due, and when, is in the
 * database, so a restart (or another replica) carries on where this one stopped.
 */
async function scheduleFrequent(
  scheduler: SchedulerService,
  id: string,
  config: MeshPluginConfig,
  clock: Pick<MeshStore, 'now'>,
  work: DueWork,
) {
  await scheduler.scheduleTask({
    id,
    frequency: { milliseconds: config.canaryCheckMs },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 1 },
    fn: async signal => {
      // Every replica reckons due times by the database's clock, never its own.
      await work(await clock.now(), signal);
    },
  });
}
