import { Knex } from 'knex';

/** A mesh admin's choice of the one entity that writes a contested host. */
export interface HostAssignment {
  entityRef: string;
  assignedBy: string;
  assignedAt: string;
}

/** Which entity a mesh admin adopted a contested host for, one row per host. */
export class HostAssignments {
  constructor(private readonly db: Knex) {}

  async get(hostKey: string): Promise<HostAssignment | undefined> {
    const row = await this.db('mesh_host_assignments')
      .where({ host_key: hostKey })
      .first();
    if (!row) return undefined;
    return {
      entityRef: row.entity_ref,
      assignedBy: row.assigned_by,
      assignedAt: new Date(row.assigned_at).toISOString(),
    };
  }

  /** Records (or replaces) the host's assignment, in one statement on SQLite and PostgreSQL alike. */
  async assign(
    hostKey: string,
    entityRef: string,
    assignedBy: string,
  ): Promise<void> {
    await this.db('mesh_host_assignments')
      .insert({
        host_key: hostKey,
        entity_ref: entityRef,
        assigned_by: assignedBy,
        assigned_at: new Date(),
      })
      .onConflict('host_key')
      .merge(['entity_ref', 'assigned_by', 'assigned_at']);
  }
}
