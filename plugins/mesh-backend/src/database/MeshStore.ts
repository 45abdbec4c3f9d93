import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  ChangeState,
  ClusterApplyResult,
  HistoryEntry,
  MeshTarget,
  RoutingObject,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Knex } from 'knex';
import { HostAssignments } from './HostAssignments';
import { ExpiryStore } from './ExpiryStore';
import { hostKey } from './hostKey';
import { CanaryStore } from './CanaryStore';
import { RolloutStore } from './RolloutStore';
import { HostLocks } from './HostLocks';

const MIGRATIONS = resolvePackagePath(
  '@meshtraffic/backstage-plugin-mesh-backend',
  'migrations',
);

/** How long a host's lock holds without renewal, i.e. after its holder died. */
export const DEFAULT_LOCK_TTL_MS = 30_000;

export interface NewHistoryEntry {
  entityRef: string;
  actor: string;
  action: HistoryEntry['action'];
  intentBefore?: TrafficIntent;
  intentAfter?: TrafficIntent;
  ok: boolean;
  clusters: ClusterApplyResult[];
  scaffolderTaskId?: string;
  /** The mesh action (Actions Registry, e.g. an agent over MCP) the change came through. */
  viaAction?: string;
  /** For a change the plugin made itself: the user it acted for, and why. */
  onBehalfOf?: string;
  reason?: string;
}

/** A change about to be written: its journal row holds what every config cluster held before it. */
export interface NewChange extends Omit<NewHistoryEntry, 'ok' | 'clusters'> {
  target: MeshTarget;
  /** Per config cluster, the routing objects that concerned the host, as the plan read them. */
  before: Record<string, RoutingObject[]>;
  lockHolder: string;
}

/** A journal row with what recovery needs. */
export interface JournalRow extends HistoryEntry {
  target?: MeshTarget;
  before?: Record<string, RoutingObject[]>;
  lockHolder?: string;
}

export { hostKey };

/**
 * The plugin's own tables (SQLite in development, PostgreSQL in production): the journal of every
 * change (a row written before the first cluster write, finished with its outcome) and host locks.
 */
export class MeshStore {
  readonly locks: HostLocks;
  readonly canaries: CanaryStore;
  readonly rollouts: RolloutStore;
  readonly assignments: HostAssignments;
  readonly expiries: ExpiryStore;

  private constructor(private readonly db: Knex, lockTtlMs: number) {
    this.assignments = new HostAssignments(db);
    this.expiries = new ExpiryStore(db);
    this.locks = new HostLocks(db, lockTtlMs);
    this.canaries = new CanaryStore(db);
    this.rollouts = new RolloutStore(db);
  }

  static async create(
    database: DatabaseService,
    options: { lockTtlMs?: number } = {},
  ): Promise<MeshStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({
        directory: MIGRATIONS,
        tableName: 'mesh_knex_migrations',
      });
    }
    return new MeshStore(db, options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS);
  }

  /**
   * The automation running on a host (a rollout in progress, an automatic canary the analysis
   * follows) and the entity that started it: only that entity steers it.
   */
  async automationOn(
    key: string,
  ): Promise<{ entityRef: string; what: string } | undefined> {
    const rollout = await this.rollouts.inProgress(key);
    if (rollout)
      return { entityRef: rollout.entityRef, what: `rollout #${rollout.id}` };
    const canary = await this.canaries.run(key);
    return canary
      ? { entityRef: canary.entityRef, what: 'the automatic canary' }
      : undefined;
  }

  /** Now by the database's clock (epoch ms): due times compare with it, never with a replica's clock. */
  now(): Promise<number> {
    return this.locks.now();
  }

  /** A finished record in one write: refusals, and changes that never reached a cluster. */
  async record(entry: NewHistoryEntry): Promise<number> {
    return this.insert({
      ...this.columns(entry),
      ok: entry.ok,
      clusters: JSON.stringify(entry.clusters),
      state: entry.ok ? 'applied' : 'failed',
      finished_at: new Date(),
    });
  }

  /** The journal row of a change, `pending`, written before its first cluster write. */
  async begin(change: NewChange): Promise<number> {
    return this.insert({
      ...this.columns(change),
      ok: false,
      clusters: '[]',
      state: 'pending',
      target: JSON.stringify(change.target),
      host_key: hostKey(change.target),
      before_state: JSON.stringify(change.before),
      lock_holder: change.lockHolder,
    });
  }

  /** Ends a pending row with its outcome; a row already ended (e.g. by recovery) stays as it is. */
  async finish(
    id: number,
    state: Exclude<ChangeState, 'pending'>,
    clusters: ClusterApplyResult[],
  ): Promise<boolean> {
    const updated = await this.db('mesh_history')
      .where({ id, state: 'pending' })
      .update({
        state,
        ok: state === 'applied',
        clusters: JSON.stringify(clusters),
        finished_at: new Date(),
      });
    return updated > 0;
  }

  /** Rows still pending, for one host or all. */
  async pending(key?: string): Promise<JournalRow[]> {
    const query = this.db('mesh_history')
      .where('state', 'pending')
      .orderBy('id', 'asc');
    if (key) query.andWhere('host_key', key);
    return (await query).map(toJournalRow);
  }

  /**
   * The newest change of an entity that left something on a cluster: applied, interrupted or
   * restore-failed (a `failed` change put everything back, and a pending one is not over).
   */
  async latestLanded(entityRef: string): Promise<JournalRow | undefined> {
    const row = await this.db('mesh_history')
      .where('entity_ref', entityRef)
      .whereIn('state', ['applied', 'interrupted', 'restore-failed'])
      .orderBy('id', 'desc')
      .first();
    return row ? toJournalRow(row) : undefined;
  }

  /** The newest intent that was applied everywhere: where the tabs start when the clusters disagree. */
  async lastApplied(entityRef: string): Promise<HistoryEntry | undefined> {
    const row = await this.db('mesh_history')
      .where({ entity_ref: entityRef, state: 'applied' })
      .whereIn('action', ['apply', 'rollback'])
      .orderBy('id', 'desc')
      .first();
    return row ? toEntry(row) : undefined;
  }

  async history(entityRef: string, limit = 100): Promise<HistoryEntry[]> {
    const rows = await this.db('mesh_history')
      .where('entity_ref', entityRef)
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toEntry);
  }

  async entry(entityRef: string, id: number): Promise<JournalRow | undefined> {
    const row = await this.db('mesh_history')
      .where({ entity_ref: entityRef, id })
      .first();
    return row ? toJournalRow(row) : undefined;
  }

  private columns(entry: Omit<NewHistoryEntry, 'ok' | 'clusters'>) {
    return {
      entity_ref: entry.entityRef,
      actor: entry.actor,
      action: entry.action,
      created_at: new Date(),
      intent_before: entry.intentBefore
        ? JSON.stringify(entry.intentBefore)
        : null,
      intent_after: entry.intentAfter
        ? JSON.stringify(entry.intentAfter)
        : null,
      scaffolder_task_id: entry.scaffolderTaskId ?? null,
      via_action: entry.viaAction ?? null,
      on_behalf_of: entry.onBehalfOf ?? null,
      reason: entry.reason ?? null,
    };
  }

  private async insert(row: Record<string, unknown>): Promise<number> {
    const [inserted] = await this.db('mesh_history')
      .insert(row)
      .returning('id');
    return typeof inserted === 'object' ? inserted.id : inserted;
  }
}

function toEntry(row: any): HistoryEntry {
  return {
    id: Number(row.id),
    entityRef: row.entity_ref,
    actor: row.actor,
    action: row.action,
    createdAt: new Date(row.created_at).toISOString(),
    intentBefore: row.intent_before ? JSON.parse(row.intent_before) : undefined,
    intentAfter: row.intent_after ? JSON.parse(row.intent_after) : undefined,
    ok: Boolean(row.ok),
    state: row.state,
    clusters: JSON.parse(row.clusters),
    ...(row.scaffolder_task_id
      ? { scaffolderTaskId: row.scaffolder_task_id }
      : {}),
    ...(row.via_action ? { viaAction: row.via_action } : {}),
    ...(row.on_behalf_of ? { onBehalfOf: row.on_behalf_of } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

function toJournalRow(row: any): JournalRow {
  return {
    ...toEntry(row),
    ...(row.target ? { target: JSON.parse(row.target) } : {}),
    ...(row.before_state ? { before: JSON.parse(row.before_state) } : {}),
    ...(row.lock_holder ? { lockHolder: row.lock_holder } : {}),
  };
}
