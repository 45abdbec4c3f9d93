import { SimulatedCluster } from '../cluster';
import { RESOURCE_TYPES, ResourceType } from '../resources';
import { Topology } from '../topology';
import { proxyContainerMetrics } from './cadvisor';
import { ClusterView, TrafficModel } from './trafficModel';

const type = (kind: string) =>
  RESOURCE_TYPES.find(r => r.kind === kind) as ResourceType;

/** What the traffic model reads of a simulated cluster, live. */
function viewOf(server: SimulatedCluster, configCluster: string): ClusterView {
  return {
    name: server.name,
    configCluster,
    virtualServices: () => server.list(type('VirtualService')),
    destinationRules: () => server.list(type('DestinationRule')),
    httpRoutes: () => server.list(type('HTTPRoute')),
    services: () => server.list(type('Service')),
    authorizationPolicies: () => server.list(type('AuthorizationPolicy')),
    // Every controller whose pods serve a version: Deployments, StatefulSets, Argo Rollouts.
    deployments: () => [
      ...server.list(type('Deployment')),
      ...server.list(type('StatefulSet')),
      ...server.list(type('Rollout')),
    ],
  };
}

/** Longest stretch simulated at one scrape: a sandbox left idle for hours does not stall its first one. */
const MAX_CATCH_UP_SECONDS = 300;

/**
 * One traffic model per mesh, each remote configured by its control plane's cluster, and every
 * cluster's /metrics wired to it. The model follows the wall clock: a scrape first simulates the
 * whole seconds since the last one.
 */
export function startMeshTraffic(
  { meshes, behaviours = [] }: Pick<Topology, 'meshes' | 'behaviours'>,
  servers: Map<string, SimulatedCluster>,
  options: { seed?: number; requestsPerReplicaPerSecond?: number } = {},
) {
  const models = new Map<string, TrafficModel>();
  for (const mesh of meshes) {
    const views = mesh.clusters.map(c =>
      viewOf(
        servers.get(c.name)!,
        c.role === 'remote' ? c.controlPlane ?? c.name : c.name,
      ),
    );
    const model = new TrafficModel(views, {
      ...options,
      ...(mesh.callers ? { callers: mesh.callers } : {}),
    });
    for (const { errorRate, latencyMs, ...scope } of behaviours) {
      if (scope.cluster && !mesh.clusters.some(c => c.name === scope.cluster))
        continue;
      model.setBehaviour(scope, {
        ...(errorRate !== undefined ? { errorRate } : {}),
        ...(latencyMs ? { latencyMs } : {}),
      });
    }
    const started = Date.now();
    const catchUp = () => {
      const due = Math.floor((Date.now() - started) / 1000) - model.seconds;
      model.advance(Math.min(Math.max(due, 0), MAX_CATCH_UP_SECONDS));
    };
    for (const c of mesh.clusters) {
      const server = servers.get(c.name)!;
      // One scrape target per cluster: its proxies' Istio metrics and their containers' cAdvisor ones.
      server.metrics = () => {
        catchUp();
        return `${model.text(c.name)}\n${proxyContainerMetrics(
          server.list(type('Pod')),
          model.seconds,
        )}`;
      };
    }
    models.set(mesh.id, model);
  }
  return models;
}
