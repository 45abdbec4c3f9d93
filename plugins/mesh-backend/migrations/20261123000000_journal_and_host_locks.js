// @ts-check

/**
 * The history becomes a write-ahead journal: a row is written `pending`, with what every config
 * cluster held before, before the first cluster write, and ends `applied`, `failed`,
 * `restore-failed` or (found pending after its writer died) `interrupted`. Locks move from the
 * entity to the host (mesh/namespace/service), which is what two entities can both reach, and
 * expire by the database's clock.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_history', table => {
    table.string('state', 32).notNullable().defaultTo('applied');
    table.text('target');
    table.string('host_key', 255);
    table.text('before_state');
    table.string('lock_holder', 255);
    table.timestamp('finished_at', { useTz: true });
    table.index(['state'], 'mesh_history_state_idx');
  });
  await knex('mesh_history').where('ok', false).update({ state: 'failed' });
  await knex.schema.dropTable('mesh_locks');
  await knex.schema.createTable('mesh_locks', table => {
    table.comment(
      'Who is changing the routing of a host right now; expiry in milliseconds by the database clock',
    );
    table.string('lock_key', 255).primary();
    table.string('holder', 255).notNullable();
    table.bigInteger('expires_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_locks');
  await knex.schema.createTable('mesh_locks', table => {
    table.string('entity_ref', 255).primary();
    table.string('holder', 255).notNullable();
    table.bigInteger('expires_at').notNullable();
  });
  await knex.schema.alterTable('mesh_history', table => {
    table.dropIndex(['state'], 'mesh_history_state_idx');
    table.dropColumn('state');
    table.dropColumn('target');
    table.dropColumn('host_key');
    table.dropColumn('before_state');
    table.dropColumn('lock_holder');
    table.dropColumn('finished_at');
  });
};
