import {
  MeshTarget,
  RolloutChecks,
  RolloutEvaluation,
  RolloutState,
  RolloutStatus,
  RolloutWave,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Knex } from 'knex';

/** A rollout as the conductor works on it. */
export interface Rollout {
  id: number;
  hostKey: string;
  entityRef: string;
  target: MeshTarget;
  startedBy: string;
  status: RolloutStatus;
  intentBefore?: TrafficIntent;
  intentAfter: TrafficIntent;
  waves: RolloutWave[];
  bakeMs: number;
  checks?: RolloutChecks;
  /** Epoch milliseconds when the next wave is due; baking rollouts only. */
  nextAt?: number;
  reason?: string;
  /** While rolling back: how it ends once every cluster is put back. */
  endsAs?: 'rolled-back' | 'failed';
  /** While rolling back: until when (epoch ms) the clusters still owed are tried again. */
  rollbackUntil?: number;
  evaluations: RolloutEvaluation[];
  createdAt: string;
}

export type NewRollout = Omit<Rollout, 'id' | 'createdAt' | 'evaluations'>;

// Rolling back holds the host as baking does: nothing else is written until it is put back.
const IN_PROGRESS: RolloutStatus[] = ['baking', 'paused', 'rolling-back'];

/** The rollouts table: one row per rollout, the waves and evaluations in it. */
export class RolloutStore {
  constructor(private readonly db: Knex) {}

  async create(rollout: NewRollout): Promise<number> {
    const [inserted] = await this.db('mesh_rollouts')
      .insert({
        ...toRow(rollout),
        evaluations: '[]',
        created_at: new Date(),
      })
      .returning('id');
    return Number(typeof inserted === 'object' ? inserted.id : inserted);
  }

  async get(id: number): Promise<Rollout | undefined> {
    const row = await this.db('mesh_rollouts').where('id', id).first();
    return row ? toRollout(row) : undefined;
  }

  /** The host's rollout that is baking, paused or rolling back, if any: there is at most one. */
  async inProgress(hostKey: string): Promise<Rollout | undefined> {
    const row = await this.db('mesh_rollouts')
      .where('host_key', hostKey)
      .whereIn('status', IN_PROGRESS)
      .orderBy('id', 'desc')
      .first();
    return row ? toRollout(row) : undefined;
  }

  /** The entity's newest rollout, whatever its state. */
  async latest(entityRef: string): Promise<Rollout | undefined> {
    const row = await this.db('mesh_rollouts')
      .where('entity_ref', entityRef)
      .orderBy('id', 'desc')
      .first();
    return row ? toRollout(row) : undefined;
  }

  /** Baking rollouts whose next wave is due at `now` (epoch ms), soonest first. */
  async due(now: number): Promise<Rollout[]> {
    const rows = await this.db('mesh_rollouts')
      // A rollback still owed to clusters it could not reach is retried as a wave is.
      .whereIn('status', ['baking', 'rolling-back'])
      .where('next_at', '<=', now)
      .orderBy('next_at', 'asc');
    return rows.map(toRollout);
  }

  async update(
    id: number,
    fields: Partial<
      Pick<
        Rollout,
        | 'status'
        | 'waves'
        | 'nextAt'
        | 'reason'
        | 'evaluations'
        | 'endsAs'
        | 'rollbackUntil'
      >
    >,
  ): Promise<void> {
    const row: Record<string, unknown> = {};
    if ('endsAs' in fields) row.ends_as = fields.endsAs ?? null;
    if ('rollbackUntil' in fields)
      row.rollback_until = fields.rollbackUntil ?? null;
    if (fields.status) row.status = fields.status;
    if (fields.waves) row.waves = JSON.stringify(fields.waves);
    if ('nextAt' in fields) row.next_at = fields.nextAt ?? null;
    if ('reason' in fields) row.reason = fields.reason ?? null;
    if (fields.evaluations)
      row.evaluations = JSON.stringify(fields.evaluations);
    await this.db('mesh_rollouts').where('id', id).update(row);
  }
}

const json = (value: unknown) =>
  value === undefined ? null : JSON.stringify(value);
const parsed = (text: string | null | undefined) =>
  text === null || text === undefined ? undefined : JSON.parse(text);

function toRow(r: NewRollout) {
  return {
    host_key: r.hostKey,
    entity_ref: r.entityRef,
    target: JSON.stringify(r.target),
    started_by: r.startedBy,
    status: r.status,
    intent_before: json(r.intentBefore),
    intent_after: JSON.stringify(r.intentAfter),
    waves: JSON.stringify(r.waves),
    bake_ms: r.bakeMs,
    checks: json(r.checks),
    next_at: r.nextAt ?? null,
    reason: r.reason ?? null,
  };
}

function toRollout(row: any): Rollout {
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    value === undefined || value === null ? {} : { [key]: value };
  return {
    id: Number(row.id),
    hostKey: row.host_key,
    entityRef: row.entity_ref,
    target: JSON.parse(row.target),
    startedBy: row.started_by,
    status: row.status,
    intentAfter: JSON.parse(row.intent_after),
    waves: JSON.parse(row.waves),
    bakeMs: Number(row.bake_ms),
    evaluations: JSON.parse(row.evaluations),
    createdAt: new Date(row.created_at).toISOString(),
    ...optional('intentBefore', parsed(row.intent_before)),
    ...optional('checks', parsed(row.checks)),
    ...optional(
      'nextAt',
      row.next_at === null || row.next_at === undefined
        ? undefined
        : Number(row.next_at),
    ),
    ...optional('reason', row.reason),
    ...optional('endsAs', row.ends_as),
    ...optional(
      'rollbackUntil',
      row.rollback_until === null || row.rollback_until === undefined
        ? undefined
        : Number(row.rollback_until),
    ),
  } as Rollout;
}

/** A rollout as the API shows it. */
export function rolloutState(r: Rollout): RolloutState {
  return {
    id: r.id,
    status: r.status,
    startedBy: r.startedBy,
    createdAt: r.createdAt,
    waves: r.waves,
    bakeSeconds: Math.round(r.bakeMs / 1000),
    ...(r.checks ? { checks: r.checks } : {}),
    ...((r.status === 'baking' || r.status === 'rolling-back') &&
    r.nextAt !== undefined
      ? { nextCheckAt: new Date(r.nextAt).toISOString() }
      : {}),
    intentAfter: r.intentAfter,
    ...(r.intentBefore ? { intentBefore: r.intentBefore } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    evaluations: r.evaluations,
  };
}
