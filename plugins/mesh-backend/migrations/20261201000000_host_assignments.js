// @ts-check

/**
 * Which entity a mesh admin adopted a contested host for: where no namespace binding decides and
 * two or more catalog entities claim one host, none of them writes it until an admin picks one.
 * One row per host; a later adoption replaces it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_host_assignments', table => {
    table.comment('The entity a mesh admin adopted a contested host for');
    table.string('host_key', 255).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('assigned_by', 255).notNullable();
    table.timestamp('assigned_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_host_assignments');
};
