import {
  CanaryEvaluation,
  MeshTarget,
  RolloutRequest,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Knex } from 'knex';

/** The automatic canary of a host that the analysis follows. */
export interface CanaryRun {
  hostKey: string;
  entityRef: string;
  target: MeshTarget;
  /** Which canary: baseline, candidate and steps; a new one starts its failures from zero. */
  canaryId: string;
  startedBy: string;
  step: number;
  failures: number;
  /** Intervals in a row that could not be judged (too few requests). */
  inconclusive: number;
  /** Intervals in a row whose metrics could not be read. */
  errors: number;
  /** When the current step started (epoch milliseconds): its progress deadline runs from here. */
  stepSince: number;
  /** The intent the canary stands at: what an abort starts from when the clusters disagree. */
  intent?: TrafficIntent;
  /** An abort that has not reached every config cluster yet: retried every interval until it has. */
  aborting?: TrafficIntent;
  intervalMs: number;
  /** Epoch milliseconds. */
  nextAt: number;
  /** The waves each step is rolled out in, when the canary was started as a rollout. */
  rollout?: RolloutRequest;
}

export type NewEvaluation = Omit<CanaryEvaluation, 'id' | 'createdAt'> & {
  hostKey: string;
};

/** How many of an entity's evaluations are kept, newest first. */
export const EVALUATIONS_KEPT = 500;

/** The analysis' tables: the runs it follows and the evaluations it made (the newest kept). */
export class CanaryStore {
  constructor(private readonly db: Knex) {}

  async run(hostKey: string): Promise<CanaryRun | undefined> {
    const row = await this.db('mesh_canary_runs')
      .where('host_key', hostKey)
      .first();
    return row ? toRun(row) : undefined;
  }

  async runFor(entityRef: string): Promise<CanaryRun | undefined> {
    const row = await this.db('mesh_canary_runs')
      .where('entity_ref', entityRef)
      .first();
    return row ? toRun(row) : undefined;
  }

  /** Runs whose next evaluation is due at `now` (epoch ms), soonest first. */
  async due(now: number): Promise<CanaryRun[]> {
    const rows = await this.db('mesh_canary_runs')
      .where('next_at', '<=', now)
      .orderBy('next_at', 'asc');
    return rows.map(toRun);
  }

  async save(run: CanaryRun): Promise<void> {
    const row = {
      host_key: run.hostKey,
      entity_ref: run.entityRef,
      target: JSON.stringify(run.target),
      canary_id: run.canaryId,
      started_by: run.startedBy,
      step: run.step,
      failures: run.failures,
      inconclusive: run.inconclusive,
      errors: run.errors,
      step_since: run.stepSince,
      intent: run.intent ? JSON.stringify(run.intent) : null,
      aborting: run.aborting ? JSON.stringify(run.aborting) : null,
      interval_ms: run.intervalMs,
      next_at: run.nextAt,
      rollout: run.rollout ? JSON.stringify(run.rollout) : null,
    };
    await this.db('mesh_canary_runs')
      .insert(row)
      .onConflict('host_key')
      .merge();
  }

  async update(
    hostKey: string,
    fields: Partial<
      Pick<
        CanaryRun,
        'failures' | 'inconclusive' | 'errors' | 'nextAt' | 'aborting'
      >
    >,
  ): Promise<void> {
    await this.db('mesh_canary_runs')
      .where('host_key', hostKey)
      .update({
        ...(fields.failures !== undefined ? { failures: fields.failures } : {}),
        ...(fields.inconclusive !== undefined
          ? { inconclusive: fields.inconclusive }
          : {}),
        ...(fields.errors !== undefined ? { errors: fields.errors } : {}),
        ...(fields.aborting !== undefined
          ? { aborting: JSON.stringify(fields.aborting) }
          : {}),
        ...(fields.nextAt !== undefined ? { next_at: fields.nextAt } : {}),
      });
  }

  async remove(hostKey: string): Promise<void> {
    await this.db('mesh_canary_runs').where('host_key', hostKey).delete();
  }

  async addEvaluation(evaluation: NewEvaluation): Promise<number> {
    const [inserted] = await this.db('mesh_canary_evaluations')
      .insert({
        entity_ref: evaluation.entityRef,
        host_key: evaluation.hostKey,
        created_at: new Date(),
        candidate: evaluation.candidate,
        step: evaluation.step,
        verdict: evaluation.verdict,
        action: evaluation.action,
        failures: evaluation.failures,
        reason: evaluation.reason,
        clusters: JSON.stringify(evaluation.clusters),
        history_id: evaluation.historyId ?? null,
      })
      .returning('id');
    await this.prune(evaluation.entityRef);
    return Number(typeof inserted === 'object' ? inserted.id : inserted);
  }

  /** A page of an entity's evaluations, newest first: those before `before` (an id), when given. */
  async evaluations(
    entityRef: string,
    page: { limit?: number; before?: number } = {},
  ): Promise<{ items: CanaryEvaluation[]; more: boolean }> {
    const limit = page.limit ?? 50;
    const query = this.db('mesh_canary_evaluations')
      .where('entity_ref', entityRef)
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (page.before !== undefined) query.andWhere('id', '<', page.before);
    const rows = await query;
    return {
      items: rows.slice(0, limit).map(toEvaluation),
      more: rows.length > limit,
    };
  }

  /** Keeps an entity's newest evaluations only: a canary judged every few seconds for weeks must not grow without end. */
  private async prune(entityRef: string) {
    const cutoff = await this.db('mesh_canary_evaluations')
      .where('entity_ref', entityRef)
      .orderBy('id', 'desc')
      .offset(EVALUATIONS_KEPT)
      .first('id');
    if (cutoff)
      await this.db('mesh_canary_evaluations')
        .where('entity_ref', entityRef)
        .andWhere('id', '<=', cutoff.id)
        .delete();
  }
}

function toRun(row: any): CanaryRun {
  return {
    hostKey: row.host_key,
    entityRef: row.entity_ref,
    target: JSON.parse(row.target),
    canaryId: row.canary_id,
    startedBy: row.started_by,
    step: Number(row.step),
    failures: Number(row.failures),
    inconclusive: Number(row.inconclusive ?? 0),
    errors: Number(row.errors ?? 0),
    // A run from before the deadline existed starts its deadline from its next evaluation.
    stepSince: Number(row.step_since ?? row.next_at),
    ...(row.intent ? { intent: JSON.parse(row.intent) } : {}),
    ...(row.aborting ? { aborting: JSON.parse(row.aborting) } : {}),
    intervalMs: Number(row.interval_ms),
    nextAt: Number(row.next_at),
    ...(row.rollout ? { rollout: JSON.parse(row.rollout) } : {}),
  };
}

function toEvaluation(row: any): CanaryEvaluation {
  return {
    id: Number(row.id),
    entityRef: row.entity_ref,
    createdAt: new Date(row.created_at).toISOString(),
    candidate: row.candidate,
    step: Number(row.step),
    verdict: row.verdict,
    action: row.action,
    failures: Number(row.failures),
    reason: row.reason,
    clusters: JSON.parse(row.clusters),
    ...(row.history_id !== null && row.history_id !== undefined
      ? { historyId: Number(row.history_id) }
      : {}),
  };
}
