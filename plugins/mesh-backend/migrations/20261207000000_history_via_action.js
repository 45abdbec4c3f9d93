// @ts-check

/**
 * A change made through one of the mesh's actions in Backstage's Actions Registry (an agent over
 * MCP, say): the action's id, so history shows which door a change came through.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_history', table => {
    table.string('via_action', 255);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_history', table => {
    table.dropColumn('via_action');
  });
};
