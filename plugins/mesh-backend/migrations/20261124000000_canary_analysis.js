// @ts-check

/**
 * Automatic canaries: the one the analysis follows per host (who started it, its failed intervals,
 * when it is next judged, by epoch milliseconds so every replica compares the same numbers), each
 * evaluation with its figures per cluster, and, on the history, the user a change by the plugin was
 * made for and why.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_canary_runs', table => {
    table.comment('The automatic canary of a host that the analysis judges');
    table.string('host_key', 255).primary();
    table.string('entity_ref', 255).notNullable();
    table.text('target').notNullable();
    table.string('canary_id', 1024).notNullable();
    table.string('started_by', 255).notNullable();
    table.integer('step').notNullable();
    table.integer('failures').notNullable().defaultTo(0);
    table.bigInteger('interval_ms').notNullable();
    table.bigInteger('next_at').notNullable();
    table.index(['next_at'], 'mesh_canary_runs_next_idx');
  });
  await knex.schema.createTable('mesh_canary_evaluations', table => {
    table.comment(
      'Every judgement of an automatic canary step, with its figures',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('host_key', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.string('candidate', 255).notNullable();
    table.integer('step').notNullable();
    table.string('verdict', 32).notNullable();
    table.string('action', 32).notNullable();
    table.integer('failures').notNullable();
    table.text('reason').notNullable();
    table.text('clusters').notNullable();
    table.bigInteger('history_id');
    table.index(['entity_ref', 'id'], 'mesh_canary_evaluations_entity_idx');
  });
  await knex.schema.alterTable('mesh_history', table => {
    table.string('on_behalf_of', 255);
    table.text('reason');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_history', table => {
    table.dropColumn('on_behalf_of');
    table.dropColumn('reason');
  });
  await knex.schema.dropTable('mesh_canary_evaluations');
  await knex.schema.dropTable('mesh_canary_runs');
};
