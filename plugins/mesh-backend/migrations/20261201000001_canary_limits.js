// @ts-check

/**
 * What an automatic canary's limits count, per run: intervals in a row that could not be judged
 * (too few requests), intervals in a row whose metrics could not be read (Prometheus down), and
 * when the current step started (epoch milliseconds), for its progress deadline. Also the intent
 * the canary stands at (what an abort starts from when the clusters disagree), and the abort
 * still being written to clusters it could not reach yet.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_canary_runs', table => {
    table.integer('inconclusive').notNullable().defaultTo(0);
    table.integer('errors').notNullable().defaultTo(0);
    table.bigInteger('step_since');
    table.text('intent');
    table.text('aborting');
  });
  // Runs already going start their step's deadline now, not at a time that moves every interval.
  await knex('mesh_canary_runs').update({ step_since: Date.now() });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_canary_runs', table => {
    table.dropColumn('inconclusive');
    table.dropColumn('errors');
    table.dropColumn('step_since');
    table.dropColumn('intent');
    table.dropColumn('aborting');
  });
};
