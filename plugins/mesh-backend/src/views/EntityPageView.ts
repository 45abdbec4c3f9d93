import {
  riskyParts,
  EntityMeshState,
  MeshTarget,
  serviceHost,
  UnfinishedChange,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { hostKey, MeshStore } from '../database/MeshStore';
import { rolloutState } from '../database/RolloutStore';
import { ChangeRecovery, clusterHolds } from '../apply/ChangeRecovery';
import {
  clustersDisagree,
  holderOf,
  LiveState,
  LiveStateReader,
} from '../read/LiveStateReader';

/**
 * An entity's mesh state as the page shows it: the live read, who else holds or claims the host,
 * and what the journal says: a change left unfinished (resolved first, when its writer is gone)
 * and, when the clusters disagree, the last intent applied everywhere.
 */
export class EntityPageView {
  constructor(
    private readonly state: LiveStateReader,
    private readonly store: MeshStore,
    private readonly recovery: ChangeRecovery,
  ) {}

  /** `claimants`: the other claimants when the caller is reading them anyway (one catalog query per view). */
  async get(
    target: MeshTarget,
    known: { claimants?: Promise<string[] | undefined> } = {},
  ): Promise<EntityMeshState> {
    await this.resolveAbandoned(target);
    const claimants = async () =>
      (await known.claimants) ?? this.state.otherClaimants(target);
    const [live, claimedBy, ended, rollout, ends] = await Promise.all([
      this.state.read(target),
      claimants(),
      this.store.latestLanded(target.entityRef),
      this.store.rollouts.latest(target.entityRef),
      this.store.expiries.forHost(hostKey(target)),
    ]);
    // Ends of parts the routing still has: those that went some other way have nothing to end.
    const present = riskyParts(live.intent);
    const expiries = ends
      .filter(e => present.includes(e.part))
      .map(e => ({
        part: e.part,
        expiresAt: new Date(e.expiresAt).toISOString(),
        setBy: e.setBy,
      }));
    const heldBy = holderOf(live);
    const disagree = clustersDisagree(live);
    const lastApplied =
      !live.intent || disagree
        ? await this.store.lastApplied(target.entityRef)
        : undefined;
    const unfinished =
      ended &&
      (ended.state === 'interrupted' || ended.state === 'restore-failed')
        ? this.unfinished(live, ended)
        : undefined;
    return {
      target: {
        mesh: target.mesh,
        service: target.service,
        namespace: target.namespace,
        entityRef: target.entityRef,
        host: serviceHost(target),
        routingApi: live.mesh.routingApi,
      },
      clusters: live.clusters.map(c => c.state),
      intent: live.intent,
      revision: live.revision,
      ...(heldBy ? { heldBy } : {}),
      ...(claimedBy.length ? { claimedBy } : {}),
      ...(expiries.length ? { expiries } : {}),
      ...(disagree ? { clustersDisagree: true } : {}),
      ...(lastApplied
        ? {
            lastApplied: {
              historyId: lastApplied.id,
              intent: lastApplied.intentAfter,
            },
          }
        : {}),
      ...(unfinished ? { unfinished } : {}),
      ...(rollout ? { rollout: rolloutState(rollout) } : {}),
    };
  }

  /** A pending row whose writer's lock is gone is resolved now, before the page is told anything. */
  private async resolveAbandoned(target: MeshTarget) {
    const key = hostKey(target);
    // Resolving takes the host's lock, so a change still being written is left alone.
    if ((await this.store.pending(key)).length)
      await this.recovery.resolveAbandonedHost(key);
  }

  private unfinished(
    live: LiveState,
    row: NonNullable<Awaited<ReturnType<MeshStore['latestLanded']>>>,
  ): UnfinishedChange | undefined {
    const clusters = clusterHolds(live, row);
    // Nothing left to finish or undo: the clusters agree again (finished or undone by hand since).
    if (
      clusters.every(c => c.holds === 'intended') ||
      clusters.every(c => c.holds === 'before')
    )
      return undefined;
    return {
      historyId: row.id,
      state: row.state as UnfinishedChange['state'],
      action: row.action,
      actor: row.actor,
      createdAt: row.createdAt,
      intentBefore: row.intentBefore,
      intentAfter: row.intentAfter,
      clusters,
    };
  }
}
