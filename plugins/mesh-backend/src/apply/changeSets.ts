import {
  objectKey,
  RoutingObject,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { PlanResult } from '../plan/MeshPlanner';
import { LiveState, revisionOf } from '../read/LiveStateReader';
import { ClusterChange } from './RoutingWriter';

/** Whether a change limited to some clusters (a rollout's wave) writes this one; unlimited, every one. */
export const writesTo = (only?: string[]) => (cluster: string) =>
  !only || only.includes(cluster);

/** Per cluster (of `only`, when given), what the plan writes and deletes, against what the cluster held. */
export function changesOf(
  plan: Extract<PlanResult, { valid: true }>,
  only?: string[],
): ClusterChange[] {
  const { live } = plan;
  // Only a mesh that lets GitOps objects be adopted, and only an adopt, writes over a GitOps tool.
  const overGitOps = plan.adopt && live.mesh.gitOps === 'adoptable';
  return plan.clusters
    .filter(c => writesTo(only)(c.cluster))
    .map(c => ({
      cluster: live.mesh.clusters.find(x => x.name === c.cluster)!,
      before: live.clusters.find(x => x.cluster === c.cluster)!.routing,
      write: c.changes
        .filter(x => x.action === 'create' || x.action === 'update')
        .map(x => x.object as RoutingObject),
      // Adopting deletes what the plan listed: foreign objects that route only this host, after ours are written.
      remove: c.changes
        .filter(x => x.action === 'delete')
        .map(x => x.object as RoutingObject),
      ...(overGitOps ? { overGitOps } : {}),
    }));
}

/**
 * The revision of the host's routing after a successful change: what each config cluster held,
 * less what was removed, with what was written as the API server answered it. A concurrent change
 * elsewhere on the host makes the next apply's revision check fail, as it should.
 */
export function revisionAfter(
  live: LiveState,
  changes: ClusterChange[],
  answered: Map<string, RoutingObject[]>,
): string {
  const clusters = live.clusters.map(c => {
    const change = changes.find(x => x.cluster.name === c.cluster);
    if (!change) return c;
    const written = answered.get(c.cluster) ?? [];
    const replaced = new Set([...change.remove, ...written].map(objectKey));
    return {
      ...c,
      routing: [
        ...c.routing.filter(o => !replaced.has(objectKey(o))),
        ...written,
      ],
    };
  });
  return revisionOf(clusters);
}
