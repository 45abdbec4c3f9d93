// @ts-check

/**
 * What an entity's canary evaluations said once they are no longer kept (only the newest 500
 * are): how many, how many of each verdict, how many acted, and the span they covered. A canary
 * judged every few seconds for weeks keeps its record in sum instead of row by row.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_canary_evaluation_summaries', table => {
    table.string('entity_ref', 255).primary();
    table.integer('count').notNullable();
    table.integer('pass').notNullable();
    table.integer('fail').notNullable();
    table.integer('inconclusive').notNullable();
    table.integer('acted').notNullable();
    table.timestamp('first_at', { useTz: true }).notNullable();
    table.timestamp('last_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_canary_evaluation_summaries');
};
