import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import crypto from 'node:crypto';
import { Knex } from 'knex';

/** A held lock: renewed in the background while the work runs; the work checks it before each write. */
export interface HostLease {
  readonly holder: string;
  /** Throws when the lock may have passed to someone else: the work must not write further. */
  assertHeld(): void;
}

/**
 * The lock is held by someone else right now: a 409 to a person, and to the scheduler a sign that
 * another replica is doing the same work (told apart from a 409 inside the work itself).
 */
class HostLockBusyError extends ConflictError {}

export class LockLostError extends ServiceUnavailableError {
  constructor(key: string) {
    super(
      `the lock on the routing of ${key} expired before the change finished; it was stopped and will be resolved from the journal`,
    );
  }
}

/**
 * Per-host locks in a table, so that backend replicas sharing the database never write the same
 * host at once. Expiry is reckoned by the database's clock, never a replica's, and a lock is
 * renewed while its work runs, so only a dead holder's lock expires.
 */
export class HostLocks {
  constructor(private readonly db: Knex, private readonly ttlMs: number) {}

  /** The database's clock, in milliseconds since the epoch: what every replica's due times are reckoned by. */
  async now(): Promise<number> {
    const row = await this.db
      .select(this.db.raw('(?) as now', [this.nowMs()]))
      .first();
    return Number(row.now);
  }

  /** Milliseconds since the epoch by the database's clock, as an SQL expression. */
  private nowMs(): Knex.Raw {
    const client = String(this.db.client.config.client);
    if (client === 'pg')
      return this.db.raw(
        '(extract(epoch from clock_timestamp()) * 1000)::bigint',
      );
    return this.db.raw(
      `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`,
    );
  }

  private expiry(): Knex.Raw {
    return this.db.raw('(?) + ?', [this.nowMs(), this.ttlMs]);
  }

  /**
   * Runs `work` holding the lock if nobody else holds it, else skips it (undefined): scheduled
   * work another replica is doing right now. A 409 inside the work itself still throws.
   */
  async ifFree<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.withLock(key, work).catch(e => {
      if (e instanceof HostLockBusyError) return undefined;
      throw e;
    });
  }

  /** Runs `work` holding the host's lock; an expired lock (its holder died) is taken over. */
  async withLock<T>(
    key: string,
    work: (lease: HostLease) => Promise<T>,
    busyMessage?: string,
  ): Promise<T> {
    const holder = crypto.randomUUID();
    await this.db('mesh_locks')
      .where('lock_key', key)
      .andWhere('expires_at', '<', this.nowMs())
      .delete();
    try {
      await this.db('mesh_locks').insert({
        lock_key: key,
        holder,
        expires_at: this.expiry(),
      });
    } catch (e) {
      if (!isDatabaseConflictError(e)) throw e;
      throw new HostLockBusyError(
        busyMessage ??
          `another change to the routing of ${key} is in progress; try again when it has finished`,
      );
    }
    let lost = false;
    // Renewed well before expiry; a failed renewal (lock taken over, database gone) stops further writes.
    let validUntil = Date.now() + this.ttlMs;
    const renew = async () => {
      try {
        const renewed = await this.db('mesh_locks')
          .where({ lock_key: key, holder })
          .update({ expires_at: this.expiry() });
        if (renewed === 0) lost = true;
        else validUntil = Date.now() + this.ttlMs;
      } catch {
        // Unknown: the local deadline below still bounds the work.
      }
    };
    const timer = setInterval(renew, Math.max(50, Math.floor(this.ttlMs / 3)));
    timer.unref?.();
    const lease: HostLease = {
      holder,
      assertHeld: () => {
        if (lost || Date.now() >= validUntil) throw new LockLostError(key);
      },
    };
    try {
      return await work(lease);
    } finally {
      clearInterval(timer);
      await this.db('mesh_locks').where({ lock_key: key, holder }).delete();
    }
  }
}
