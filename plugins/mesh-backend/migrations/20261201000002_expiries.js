// @ts-check

/**
 * Risky parts of a host's intent that end by themselves (a fault, a mirror, a route): one row per
 * host and part, with when it ends (epoch milliseconds) and who set it. The scheduler removes the
 * part through the normal transaction when it is due, on that person's behalf.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_expiries', table => {
    table.comment('When risky parts of a host intent end by themselves');
    table.string('host_key', 255).notNullable();
    table.string('part', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.text('target').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.string('set_by', 255).notNullable();
    table.primary(['host_key', 'part']);
    table.index(['expires_at'], 'mesh_expiries_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_expiries');
};
