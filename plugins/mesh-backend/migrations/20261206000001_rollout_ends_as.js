// @ts-check

/**
 * A rollout rolling back (a cluster it could not reach is owed the rollback, and tried again):
 * how it ends once every cluster is put back (rolled back when a check failed or a person rolled
 * it back, failed when a wave failed), and until when it is tried (epoch ms); after that it ends
 * failed, naming the clusters still owed, for a person to finish or undo from History.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_rollouts', table => {
    table.string('ends_as', 32);
    table.bigInteger('rollback_until');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_rollouts', table => {
    table.dropColumn('ends_as');
    table.dropColumn('rollback_until');
  });
};
