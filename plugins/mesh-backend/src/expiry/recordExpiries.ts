import {
  MeshTarget,
  riskyParts,
  RiskyPart,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { ExpiryStore } from '../database/ExpiryStore';
import { hostKey } from '../database/hostKey';

/**
 * After a change landed: the end of each risky part it leaves. A part the request gave an end
 * takes it; a part that already had one keeps it (a later edit does not make it permanent); a part
 * without one gets the mesh's maximum, when the mesh sets one; a part that is gone loses its end.
 */
export async function recordExpiries(
  store: Pick<ExpiryStore, 'forHost' | 'set' | 'remove'>,
  change: {
    target: MeshTarget;
    intentAfter?: TrafficIntent;
    ends: Partial<Record<RiskyPart, number>>;
    setBy: string;
    maxMs?: number;
    now?: number;
  },
): Promise<void> {
  const key = hostKey(change.target);
  const rows = await store.forHost(key);
  const present = riskyParts(change.intentAfter);
  await store.remove(
    key,
    rows.filter(r => !present.includes(r.part)).map(r => r.part),
  );
  const now = change.now ?? Date.now();
  for (const part of present) {
    const end =
      change.ends[part] ??
      (rows.some(r => r.part === part) || change.maxMs === undefined
        ? undefined
        : now + change.maxMs);
    if (end !== undefined)
      await store.set(change.target, part, end, change.setBy);
  }
}
