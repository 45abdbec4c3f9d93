import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  canonicalJson,
  ClusterApplyResult,
  ClusterHolds,
  objectKey,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { hostKey, JournalRow, MeshStore } from '../database/MeshStore';
import { LiveState, LiveStateReader } from '../read/LiveStateReader';

const same = (a: TrafficIntent | undefined, b: TrafficIntent | undefined) =>
  canonicalJson(a ?? null) === canonicalJson(b ?? null);

/**
 * What each config cluster holds now, measured against a journaled change: its before-state
 * (every object it recorded, at the same resourceVersion, and nothing else of ours), the intent
 * the change meant (`intended`), something else, or unknown (unreachable).
 */
export function clusterHolds(
  live: LiveState,
  row: Pick<JournalRow, 'before' | 'intentBefore' | 'intentAfter' | 'action'>,
): Array<{ cluster: string; holds: ClusterHolds }> {
  return live.clusters
    .filter(c => c.isConfigCluster)
    .map(c => {
      if (!c.reachable)
        return { cluster: c.cluster, holds: 'unknown' as const };
      const before = row.before?.[c.cluster];
      if (before) {
        const versions = (objects: typeof before) =>
          objects
            .map(o => `${objectKey(o)}@${o.metadata.resourceVersion}`)
            .sort()
            .join(',');
        if (versions(before) === versions(c.routing))
          return { cluster: c.cluster, holds: 'before' as const };
      }
      const ours = c.state.routing.some(o => o.status !== 'foreign');
      if (row.action === 'remove')
        return {
          cluster: c.cluster,
          holds: ours ? ('before' as const) : ('intended' as const),
        };
      if (c.intent && same(c.intent, row.intentAfter))
        return { cluster: c.cluster, holds: 'intended' as const };
      if (
        c.intent ? same(c.intent, row.intentBefore) : !ours && !row.intentBefore
      )
        return { cluster: c.cluster, holds: 'before' as const };
      return { cluster: c.cluster, holds: 'other' as const };
    });
}

const OUTCOME: Record<ClusterHolds, ClusterApplyResult['outcome']> = {
  intended: 'applied',
  before: 'unchanged',
  other: 'interrupted',
  unknown: 'interrupted',
};

const FOUND: Record<ClusterHolds, string> = {
  intended: 'the intended change',
  before: 'what it held before',
  other: 'something else',
  unknown: 'nothing readable (unreachable)',
};

/** A resolved row's state: complete, not started, or neither. */
function settledState(holds: Array<{ holds: ClusterHolds }>) {
  if (holds.every(h => h.holds === 'intended')) return 'applied' as const;
  if (holds.every(h => h.holds === 'before')) return 'failed' as const;
  return 'interrupted' as const;
}

/**
 * Resolves journal rows left `pending` by a writer that died (a killed replica, a lost lock): it
 * reads the clusters and ends the row with what each holds. All holding the intended change:
 * `applied`; all as before: `failed` (nothing landed); anything else: `interrupted`, which the
 * entity's state reports with "finish" and "undo".
 */
export class ChangeRecovery {
  constructor(
    private readonly store: MeshStore,
    private readonly state: LiveStateReader,
    private readonly logger?: LoggerService,
  ) {}

  /** Ends every pending row of a host. Call it holding the host's lock: then no live writer owns them. */
  async resolveHost(key: string): Promise<JournalRow[]> {
    const rows = await this.store.pending(key);
    for (const row of rows) await this.resolve(row);
    return rows;
  }

  /**
   * Pending rows whose host nobody holds (on startup, and on a schedule): each host is taken under
   * its lock, so two replicas never resolve the same row and a live writer is never second-guessed.
   */
  async resolveAbandoned(): Promise<number> {
    const keys = [
      ...new Set(
        (await this.store.pending()).flatMap(r =>
          r.target ? [hostKey(r.target)] : [],
        ),
      ),
    ];
    let resolved = 0;
    for (const key of keys) {
      // One host that cannot be resolved now (its clusters unreadable) must not hold up the rest.
      try {
        resolved += await this.resolveAbandonedHost(key);
      } catch (e) {
        this.logger?.warn(
          `mesh: the change(s) left pending on ${key} could not be resolved yet; retried on the next run`,
          e as Error,
        );
      }
    }
    return resolved;
  }

  /** As resolveAbandoned, for one host; 0 when someone holds it (a live writer, or another replica resolving). */
  async resolveAbandonedHost(key: string): Promise<number> {
    try {
      return (await this.store.locks.withLock(key, () => this.resolveHost(key)))
        .length;
    } catch (e) {
      if (e instanceof ConflictError) return 0;
      throw e;
    }
  }

  private async resolve(row: JournalRow) {
    if (!row.target) {
      await this.store.finish(row.id, 'interrupted', []);
      return;
    }
    let live;
    try {
      live = await this.state.read(row.target);
    } catch (e) {
      if (!(e instanceof NotFoundError || e instanceof NotAllowedError))
        throw e;
      // Its mesh or namespace left the config: its clusters cannot be read here any more.
      await this.store.finish(row.id, 'interrupted', []);
      this.logger?.warn(
        `mesh: change #${row.id} to ${row.entityRef} was left pending, and ${e.message}; recorded as interrupted without reading its clusters`,
      );
      return;
    }
    const holds = clusterHolds(live, row);
    const state = settledState(holds);
    const clusters: ClusterApplyResult[] = holds.map(h => ({
      cluster: h.cluster,
      outcome: OUTCOME[h.holds],
      holds: h.holds,
      message: `the change was interrupted; found holding ${FOUND[h.holds]}`,
    }));
    await this.store.finish(row.id, state, clusters);
    this.logger?.warn(
      `mesh: change #${row.id} to ${row.entityRef} was left pending by a writer that stopped; resolved as ${state}`,
    );
  }
}
