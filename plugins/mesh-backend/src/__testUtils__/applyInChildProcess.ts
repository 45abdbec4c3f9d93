/*
 * A backend replica in a process of its own, for the test that kills one mid-apply: it wires the
 * mesh services on the shared database and applies one intent, then reports on stdout. Run as
 * `node -e "require('@backstage/cli/config/nodeTransform.cjs'); require(<this file>)"` with
 * MESH_CHILD_JOB set to the JSON of a ChildJob.
 */
import knexFactory from 'knex';
import { meshServicesFor } from './meshServices';

export interface ChildJob {
  meshConfig: Record<string, unknown>;
  /** A knex PostgreSQL connection (string or object): the database the replicas share. */
  databaseConnection: unknown;
  target: {
    mesh: string;
    namespace: string;
    service: string;
    entityRef: string;
  };
  intent: unknown;
  revision: string;
}

async function main() {
  const job: ChildJob = JSON.parse(process.env.MESH_CHILD_JOB ?? '{}');
  const knex = knexFactory({
    client: 'pg',
    connection: job.databaseConnection as any,
  });
  const services = await meshServicesFor(job.meshConfig, knex);
  // Plan first, as the user's page does: apply then starts from that read, like a real request.
  await services.planner.plan(job.target, job.intent);
  process.stdout.write('applying\n');
  const result = await services.applier.apply({
    target: job.target,
    actor: 'user:default/child',
    intent: job.intent,
    revision: job.revision,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await knex.destroy();
}

main().catch(e => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
