import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { MeshPluginConfig } from './config/readMeshConfig';
import { MeshStore } from './database/MeshStore';
import { HostClaims } from './ownership/HostClaims';
import { ChangeRecovery } from './apply/ChangeRecovery';
import { ClusterRegistry } from './kubernetes/ClusterRegistry';
import { EntityPageView } from './views/EntityPageView';
import { MeshApplier } from './apply/MeshApplier';
import { MeshPlanner } from './plan/MeshPlanner';
import { LiveStateReader } from './read/LiveStateReader';
import { RoutingWriter } from './apply/RoutingWriter';
import { AccessPreviewer } from './telemetry/AccessPreviewer';
import { CallerIdentities } from './read/CallerIdentities';
import { HostMetrics } from './telemetry/HostMetrics';
import { MeshMetrics } from './telemetry/MeshMetrics';
import { CanaryAnalyst } from './analysis/CanaryAnalyst';
import { MeshStatusView } from './views/MeshStatusView';
import { RolloutConductor } from './rollout/RolloutConductor';
import { ExpiryKeeper } from './expiry/ExpiryKeeper';
import { HostStandingCheck } from './ownership/hostStanding';

export interface MeshServices {
  registry: ClusterRegistry;
  state: LiveStateReader;
  planner: MeshPlanner;
  store: MeshStore;
  applier: MeshApplier;
  recovery: ChangeRecovery;
  status: EntityPageView;
  metrics: HostMetrics;
  accessPreviewer: AccessPreviewer;
  callerIdentities: CallerIdentities;
  analyst: CanaryAnalyst;
  conductor: RolloutConductor;
  meshStatus: MeshStatusView;
  expiries: ExpiryKeeper;
}

/**
 * The mesh backend's services, wired once: by the plugin, by tests that stand for several
 * replicas or a replica in another process, and by the benchmarks.
 */
export async function createMeshServices(options: {
  config: MeshPluginConfig;
  database: DatabaseService;
  /** Other catalog entities naming a host; none without a catalog (benchmarks, child replicas). */
  claims?: HostClaims;
  logger?: LoggerService;
  /** Why a host's entity may not write it now; scheduled advances and waves wait on it. */
  standing?: HostStandingCheck;
}): Promise<MeshServices> {
  const registry = new ClusterRegistry(options.config, options.logger);
  const state = new LiveStateReader(registry, options.claims);
  const planner = new MeshPlanner(registry, state);
  const store = await MeshStore.create(options.database, {
    lockTtlMs: options.config.changeLockTtlMs,
  });
  const recovery = new ChangeRecovery(store, state, options.logger);
  const applier = new MeshApplier(
    planner,
    state,
    store,
    new RoutingWriter(registry),
    recovery,
  );
  const status = new EntityPageView(state, store, recovery);
  const meshMetrics = new MeshMetrics();
  const metrics = new HostMetrics(state, meshMetrics);
  const conductor = new RolloutConductor(
    state,
    store,
    applier,
    meshMetrics,
    options.logger,
    options.standing,
  );
  const analyst = new CanaryAnalyst(
    state,
    store,
    applier,
    meshMetrics,
    options.logger,
    conductor,
    options.standing,
  );
  return {
    registry,
    state,
    planner,
    store,
    applier,
    recovery,
    status,
    metrics,
    accessPreviewer: new AccessPreviewer(metrics),
    callerIdentities: new CallerIdentities(registry),
    analyst,
    conductor,
    meshStatus: new MeshStatusView(registry, store, meshMetrics),
    expiries: new ExpiryKeeper(state, store, applier, options.logger),
  };
}
