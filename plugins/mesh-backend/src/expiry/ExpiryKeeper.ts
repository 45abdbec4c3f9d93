import { LoggerService } from '@backstage/backend-plugin-api';
import {
  canonicalJson,
  RiskyPart,
  riskyParts,
  TrafficIntent,
  withoutPart,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { PartExpiryRow } from '../database/ExpiryStore';
import { MeshStore } from '../database/MeshStore';
import { ApplyOutcome, ApplyRequestContext } from '../apply/MeshApplier';
import { LiveStateReader } from '../read/LiveStateReader';

/** The actor of the changes that end risky parts; history names the user who set the end beside it. */
export const EXPIRY_ACTOR = 'plugin:mesh/expiry';

/**
 * Ends risky parts (a fault, a mirror, a route) whose time is up: removes just those parts from
 * the host's intent through the same transaction as a person's change, on behalf of who set the
 * end, reaching every config cluster it can. A host whose clusters disagree, or that a rollout
 * holds, is tried again on the next run.
 */
export class ExpiryKeeper {
  constructor(
    private readonly state: Pick<LiveStateReader, 'read'>,
    private readonly store: Pick<MeshStore, 'expiries' | 'locks'>,
    private readonly applier: {
      apply(request: ApplyRequestContext): Promise<ApplyOutcome>;
    },
    private readonly logger?: LoggerService,
  ) {}

  /** Ends every part due at `now`; returns how many were ended. */
  async expireDue(now = Date.now(), signal?: AbortSignal): Promise<number> {
    const due = await this.store.expiries.due(now);
    const byHost = new Map<string, PartExpiryRow[]>();
    for (const row of due)
      byHost.set(row.hostKey, [...(byHost.get(row.hostKey) ?? []), row]);
    let ended = 0;
    for (const rows of byHost.values()) {
      if (signal?.aborted) break;
      try {
        ended += await this.expireOnce(rows[0].hostKey, now);
      } catch (e) {
        this.logger?.warn(
          `mesh: could not end the expired ${rows
            .map(r => r.part)
            .join(', ')} of ${rows[0].hostKey} yet; tried again next run`,
          e as Error,
        );
      }
    }
    return ended;
  }

  /**
   * A host's ends once, whichever replica or overlapping run gets there: under the host's expiry
   * lock, from its rows as they are once it is held (another run may have ended them).
   */
  private async expireOnce(key: string, now: number): Promise<number> {
    const ended = await this.store.locks.ifFree(`${key}#expiry`, async () => {
      const rows = (await this.store.expiries.forHost(key)).filter(
        r => r.expiresAt <= now,
      );
      return rows.length ? this.expireHost(rows) : 0;
    });
    return ended ?? 0;
  }

  private async expireHost(rows: PartExpiryRow[]): Promise<number> {
    const { target, hostKey } = rows[0];
    const live = await this.state.read(target);
    const config = live.clusters.filter(c => c.isConfigCluster);
    // The part ends on every cluster that can be read now; one that cannot might still hold it,
    // so the end is kept (and tried again) until every config cluster has been read without it.
    const readable = config.filter(c => c.reachable);
    const everyRead = readable.length === config.length;
    const held = (part: string) =>
      readable.some(c => riskyParts(c.intent).includes(part as RiskyPart));
    if (everyRead)
      await this.store.expiries.remove(
        hostKey,
        rows.filter(r => !held(r.part)).map(r => r.part),
      );
    const ending = rows.filter(r => held(r.part));
    if (!ending.length) return 0;
    // Each group of clusters that holds one intent loses the parts from it (the clusters agree,
    // unless an earlier end reached only some of them); one edited by hand is left to a person.
    const groups = new Map<
      string,
      { intent: TrafficIntent; clusters: string[] }
    >();
    for (const c of readable) {
      if (!c.intent) continue;
      if (!ending.some(r => riskyParts(c.intent).includes(r.part))) continue;
      const key = canonicalJson(c.intent);
      const group = groups.get(key) ?? { intent: c.intent, clusters: [] };
      group.clusters.push(c.cluster);
      groups.set(key, group);
    }
    let ended = 0;
    let revision = live.revision;
    for (const group of groups.values()) {
      const outcome = await this.applier.apply({
        target,
        actor: EXPIRY_ACTOR,
        onBehalfOf: ending[0].setBy,
        reason: ending
          .map(
            r =>
              `${r.part} ended at ${new Date(r.expiresAt).toISOString()}, as ${
                r.setBy
              } set it to`,
          )
          .join('; '),
        intent: ending.reduce((i, r) => withoutPart(i, r.part), group.intent),
        revision,
        clusters: group.clusters,
        safety: true,
      });
      if (!outcome.valid)
        throw new Error(
          `the intent without them is invalid: ${outcome.issues
            .map(i => `${i.path} ${i.message}`)
            .join('; ')}`,
        );
      if (outcome.ok) ended += 1;
      // The next group's write is judged against what this one left.
      revision = outcome.revision ?? (await this.state.read(target)).revision;
    }
    return ended === groups.size && groups.size ? ending.length : 0;
  }
}
