import { ConflictError } from '@backstage/errors';
import {
  ApplyResponse,
  ClusterApplyResult,
  IntentIssue,
  MeshTarget,
  RoutingObject,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshStore } from '../database/MeshStore';
import { ClusterRegistry } from './ClusterRegistry';
import { MeshPlanner } from './MeshPlanner';
import { ClusterChange, RoutingWriter } from './RoutingWriter';

export interface ApplyRequestContext {
  target: MeshTarget;
  actor: string;
  intent: unknown;
  revision: string;
  adopt?: boolean;
  action?: 'apply' | 'rollback';
  scaffolderTaskId?: string;
}

export type ApplyOutcome = { valid: false; issues: IntentIssue[] } | ({ valid: true } & ApplyResponse);

/**
 * Applies an intent to every config cluster of the service's mesh: under the entity's lock, against
 * the revision the user planned, refusing foreign routing unless adopted and unreachable config
 * clusters outright, all clusters in parallel and all or nothing, with a history row whatever the
 * outcome.
 */
export class MeshApplier {
  private readonly writer: RoutingWriter;

  constructor(
    registry: ClusterRegistry,
    private readonly planner: MeshPlanner,
    private readonly store: MeshStore,
  ) {
    this.writer = new RoutingWriter(registry);
  }

  async apply(request: ApplyRequestContext): Promise<ApplyOutcome> {
    const { target } = request;
    return this.store.withLock(target.entityRef, async () => {
      const plan = await this.planner.plan(target, request.intent);
      if (!plan.valid) return plan;
      const { live } = plan;
      if (live.revision !== request.revision) {
        throw new ConflictError(
          `the routing of ${target.entityRef} changed since you loaded it (revision ${request.revision}, now ${live.revision}); reload and plan again`,
        );
      }
      if (plan.needsAdoption && !request.adopt) {
        const owners = plan.clusters.flatMap(c => c.foreign.map(f => `${f.kind} ${f.name} (${f.owner}) on ${c.cluster}`));
        throw new ConflictError(`foreign routing for ${target.service} exists: ${owners.join(', ')}; apply with adopt to take it over`);
      }

      const mesh = live.mesh;
      const base = { entityRef: target.entityRef, actor: request.actor, action: request.action ?? 'apply', intentBefore: live.intent, intentAfter: plan.intent, scaffolderTaskId: request.scaffolderTaskId } as const;
      const unreachable = plan.clusters.filter(c => !live.clusters.find(l => l.cluster === c.cluster)?.reachable);
      if (unreachable.length) {
        const clusters: ClusterApplyResult[] = plan.clusters.map(c => {
          const l = live.clusters.find(x => x.cluster === c.cluster)!;
          return l.reachable
            ? { cluster: c.cluster, outcome: 'unchanged', message: 'not written: another config cluster is unreachable' }
            : { cluster: c.cluster, outcome: 'unreachable', message: l.error };
        });
        const historyId = await this.store.record({ ...base, ok: false, clusters });
        return { valid: true, ok: false, historyId, clusters, revision: live.revision };
      }

      const changes: ClusterChange[] = plan.clusters.map(c => {
        const l = live.clusters.find(x => x.cluster === c.cluster)!;
        const write = c.changes.filter(x => x.action !== 'unchanged').map(x => x.object as RoutingObject);
        const planned = new Set(plan.objects.map(o => `${o.kind}/${o.metadata.name}`));
        // Adopting takes over the host's routing: foreign objects under other names go, after ours are written.
        const remove = request.adopt
          ? l.routing.filter(o => c.foreign.some(f => f.kind === o.kind && f.name === o.metadata.name) && !planned.has(`${o.kind}/${o.metadata.name}`))
          : [];
        return { cluster: mesh.clusters.find(x => x.name === c.cluster)!, before: l.routing, write, remove };
      });
      const result = await this.writer.write(changes);
      const historyId = await this.store.record({ ...base, ok: result.ok, clusters: result.clusters });
      const after = await this.planner.revision(target);
      return { valid: true, ok: result.ok, historyId, clusters: result.clusters, revision: after };
    });
  }
}
