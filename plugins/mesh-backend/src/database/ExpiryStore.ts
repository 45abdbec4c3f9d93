import {
  MeshTarget,
  RiskyPart,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Knex } from 'knex';
import { hostKey } from './hostKey';

/** A risky part of a host's intent that ends by itself. */
export interface PartExpiryRow {
  hostKey: string;
  target: MeshTarget;
  part: RiskyPart;
  /** Epoch milliseconds. */
  expiresAt: number;
  setBy: string;
}

/** When the risky parts of hosts' intents end: one row per host and part. */
export class ExpiryStore {
  constructor(private readonly db: Knex) {}

  async set(
    target: MeshTarget,
    part: RiskyPart,
    expiresAt: number,
    setBy: string,
  ): Promise<void> {
    await this.db('mesh_expiries')
      .insert({
        host_key: hostKey(target),
        part,
        entity_ref: target.entityRef,
        target: JSON.stringify(target),
        expires_at: expiresAt,
        set_by: setBy,
      })
      .onConflict(['host_key', 'part'])
      .merge(['entity_ref', 'target', 'expires_at', 'set_by']);
  }

  async forHost(key: string): Promise<PartExpiryRow[]> {
    const rows = await this.db('mesh_expiries')
      .where('host_key', key)
      .orderBy('part');
    return rows.map(toRow);
  }

  /** Parts due at `now` (epoch ms), soonest first. */
  async due(now: number): Promise<PartExpiryRow[]> {
    const rows = await this.db('mesh_expiries')
      .where('expires_at', '<=', now)
      .orderBy('expires_at', 'asc');
    return rows.map(toRow);
  }

  async remove(key: string, parts: string[]): Promise<void> {
    if (!parts.length) return;
    await this.db('mesh_expiries')
      .where('host_key', key)
      .whereIn('part', parts)
      .delete();
  }
}

function toRow(row: any): PartExpiryRow {
  return {
    hostKey: row.host_key,
    target: JSON.parse(row.target),
    part: row.part,
    expiresAt: Number(row.expires_at),
    setBy: row.set_by,
  };
}
