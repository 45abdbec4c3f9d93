// @ts-check

/**
 * The mesh plugin's own tables: a record of every change (successes and failures alike), and
 * per-entity locks so that two applies, even from two backend replicas, never interleave.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_history', table => {
    table.comment(
      'Every apply, rollback and removal of a service routing, with its outcome per cluster',
    );
    table.increments('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('actor', 255).notNullable();
    table.string('action', 32).notNullable();
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
    table.text('intent_before');
    table.text('intent_after');
    table.boolean('ok').notNullable();
    table.text('clusters').notNullable();
    table.string('scaffolder_task_id', 255);
    table.index(['entity_ref', 'id'], 'mesh_history_entity_idx');
  });
  await knex.schema.createTable('mesh_locks', table => {
    table.comment(
      'Who is changing an entity routing right now; a row per entity, with an expiry',
    );
    table.string('entity_ref', 255).primary();
    table.string('holder', 255).notNullable();
    table.bigInteger('expires_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_locks');
  await knex.schema.dropTable('mesh_history');
};
