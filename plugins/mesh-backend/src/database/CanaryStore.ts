import {
  CanaryAnalysisState,
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

/** What an entity's evaluations no longer kept said: counts and the span they covered. */
export type EvaluationSummary = NonNullable<CanaryAnalysisState['pruned']>;

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

  /** What the evaluations no longer kept said, in sum; none while every one is kept. */
  async summary(entityRef: string): Promise<EvaluationSummary | undefined> {
    const row = await this.db('mesh_canary_evaluation_summaries')
      .where('entity_ref', entityRef)
      .first();
    return row
      ? {
          count: Number(row.count),
          pass: Number(row.pass),
          fail: Number(row.fail),
          inconclusive: Number(row.inconclusive),
          acted: Number(row.acted),
          from: new Date(row.first_at).toISOString(),
          to: new Date(row.last_at).toISOString(),
        }
      : undefined;
  }

  /**
   * Keeps an entity's newest evaluations only: a canary judged every few seconds for weeks must
   * not grow without end. What the older ones said is added to the entity's summary, in the
   * same transaction as their deletion, so nothing is counted twice or lost.
   */
  private async prune(entityRef: string) {
    const cutoff = await this.db('mesh_canary_evaluations')
      .where('entity_ref', entityRef)
      .orderBy('id', 'desc')
      .offset(EVALUATIONS_KEPT)
      .first('id');
    if (!cutoff) return;
    await this.db.transaction(async tx => {
      const older = () =>
        tx('mesh_canary_evaluations')
          .where('entity_ref', entityRef)
          .andWhere('id', '<=', cutoff.id);
      const rows: Array<{ verdict: string; action: string; created_at: any }> =
        await older().select('verdict', 'action', 'created_at');
      if (!rows.length) return;
      const added = summarize(rows);
      const before = await tx('mesh_canary_evaluation_summaries')
        .where('entity_ref', entityRef)
        .first();
      const sum = (
        field: 'count' | 'pass' | 'fail' | 'inconclusive' | 'acted',
      ) => Number(before?.[field] ?? 0) + added[field];
      const row = {
        count: sum('count'),
        pass: sum('pass'),
        fail: sum('fail'),
        inconclusive: sum('inconclusive'),
        acted: sum('acted'),
        first_at: new Date(
          Math.min(added.first, before ? +new Date(before.first_at) : Infinity),
        ),
        last_at: new Date(
          Math.max(added.last, before ? +new Date(before.last_at) : -Infinity),
        ),
      };
      if (before)
        await tx('mesh_canary_evaluation_summaries')
          .where('entity_ref', entityRef)
          .update(row);
      else
        await tx('mesh_canary_evaluation_summaries').insert({
          entity_ref: entityRef,
          ...row,
        });
      await older().delete();
    });
  }
}

/** What some evaluations said, in sum. */
function summarize(
  rows: Array<{ verdict: string; action: string; created_at: any }>,
) {
  const times = rows.map(r => new Date(r.created_at).getTime());
  return {
    count: rows.length,
    pass: rows.filter(r => r.verdict === 'pass').length,
    fail: rows.filter(r => r.verdict === 'fail').length,
    inconclusive: rows.filter(r => r.verdict === 'inconclusive').length,
    acted: rows.filter(r => r.action !== 'none').length,
    first: Math.min(...times),
    last: Math.max(...times),
  };
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
