import { MeshTarget } from '@meshtraffic/backstage-plugin-mesh-common';
import type { LiveState } from './MeshStateService';

const MAX_ENTRIES = 500;
const MAX_AGE_MS = 10 * 60_000;

/**
 * Recent reads of a host's live state, by entity, host and revision. Small and short-lived: a hit
 * spares apply one round trip to every cluster; a miss (another replica planned, or too long ago)
 * costs only that read.
 */
export class LiveCache {
  private readonly entries = new Map<string, { live: LiveState; at: number }>();

  private key(target: MeshTarget, revision: string) {
    return [
      target.entityRef,
      target.mesh,
      target.namespace,
      target.service,
      revision,
    ].join('\n');
  }

  put(live: LiveState) {
    const key = this.key(live.target, live.revision);
    this.entries.delete(key);
    this.entries.set(key, { live, at: Date.now() });
    if (this.entries.size > MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value!);
  }

  get(target: MeshTarget, revision: string): LiveState | undefined {
    const hit = this.entries.get(this.key(target, revision));
    if (!hit || Date.now() - hit.at > MAX_AGE_MS) return undefined;
    return hit.live;
  }
}
