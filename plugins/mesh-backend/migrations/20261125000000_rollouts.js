// @ts-check

/**
 * Rollouts in waves: one row per rollout, with its waves (groups of config clusters, each done or
 * pending and the history row of its transaction), the bake and checks between waves, when the
 * next wave is due (epoch milliseconds, so every replica compares the same numbers) and every
 * evaluation made between waves. A row survives a restart; the scheduler carries it on. An
 * automatic canary started as a rollout keeps its waves, so each of its steps goes wave by wave.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_rollouts', table => {
    table.comment('Changes written wave by wave across config clusters');
    table.bigIncrements('id').primary();
    table.string('host_key', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.text('target').notNullable();
    table.string('started_by', 255).notNullable();
    table.string('status', 32).notNullable();
    table.text('intent_before');
    table.text('intent_after').notNullable();
    table.text('waves').notNullable();
    table.bigInteger('bake_ms').notNullable();
    table.text('checks');
    table.bigInteger('next_at');
    table.text('reason');
    table.text('evaluations').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['status', 'next_at'], 'mesh_rollouts_due_idx');
    table.index(['host_key', 'id'], 'mesh_rollouts_host_idx');
  });
  await knex.schema.alterTable('mesh_canary_runs', table => {
    table.comment(
      'The automatic canary of a host that the analysis judges; with rollout, each step goes wave by wave',
    );
    table.text('rollout');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_canary_runs', table => {
    table.dropColumn('rollout');
  });
  await knex.schema.dropTable('mesh_rollouts');
};
