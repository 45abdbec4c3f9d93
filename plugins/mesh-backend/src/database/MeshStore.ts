import { DatabaseService, isDatabaseConflictError, resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { ClusterApplyResult, HistoryEntry, TrafficIntent } from '@meshtraffic/backstage-plugin-mesh-common';
import crypto from 'node:crypto';
import { Knex } from 'knex';

const MIGRATIONS = resolvePackagePath('@meshtraffic/backstage-plugin-mesh-backend', 'migrations');

/** How long a lock holds if its holder dies mid-apply; longer than any apply's timeouts. */
const LOCK_TTL_MS = 120_000;

export interface NewHistoryEntry {
  entityRef: string;
  actor: string;
  action: HistoryEntry['action'];
  intentBefore?: TrafficIntent;
  intentAfter?: TrafficIntent;
  ok: boolean;
  clusters: ClusterApplyResult[];
  scaffolderTaskId?: string;
}

/** History and locks in the plugin's own tables (SQLite in development, PostgreSQL in production). */
export class MeshStore {
  private constructor(private readonly db: Knex) {}

  static async create(database: DatabaseService): Promise<MeshStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: MIGRATIONS, tableName: 'mesh_knex_migrations' });
    }
    return new MeshStore(db);
  }

  /**
   * Runs `work` holding the entity's lock. The lock is a row, so it holds across backend replicas
   * sharing the database; an expired row (its holder died) is taken over.
   */
  async withLock<T>(entityRef: string, work: () => Promise<T>): Promise<T> {
    const holder = crypto.randomUUID();
    const now = Date.now();
    await this.db('mesh_locks').where('entity_ref', entityRef).andWhere('expires_at', '<', now).delete();
    try {
      await this.db('mesh_locks').insert({ entity_ref: entityRef, holder, expires_at: now + LOCK_TTL_MS });
    } catch (e) {
      if (!isDatabaseConflictError(e)) throw e;
      throw new ConflictError(`another change to the routing of ${entityRef} is in progress; try again when it has finished`);
    }
    try {
      return await work();
    } finally {
      await this.db('mesh_locks').where({ entity_ref: entityRef, holder }).delete();
    }
  }

  async record(entry: NewHistoryEntry): Promise<number> {
    const [row] = await this.db('mesh_history')
      .insert({
        entity_ref: entry.entityRef,
        actor: entry.actor,
        action: entry.action,
        created_at: new Date(),
        intent_before: entry.intentBefore ? JSON.stringify(entry.intentBefore) : null,
        intent_after: entry.intentAfter ? JSON.stringify(entry.intentAfter) : null,
        ok: entry.ok,
        clusters: JSON.stringify(entry.clusters),
        scaffolder_task_id: entry.scaffolderTaskId ?? null,
      })
      .returning('id');
    return typeof row === 'object' ? row.id : row;
  }

  async history(entityRef: string, limit = 100): Promise<HistoryEntry[]> {
    const rows = await this.db('mesh_history').where('entity_ref', entityRef).orderBy('id', 'desc').limit(limit);
    return rows.map(toEntry);
  }

  async entry(entityRef: string, id: number): Promise<HistoryEntry | undefined> {
    const row = await this.db('mesh_history').where({ entity_ref: entityRef, id }).first();
    return row ? toEntry(row) : undefined;
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
    clusters: JSON.parse(row.clusters),
    ...(row.scaffolder_task_id ? { scaffolderTaskId: row.scaffolder_task_id } : {}),
  };
}
