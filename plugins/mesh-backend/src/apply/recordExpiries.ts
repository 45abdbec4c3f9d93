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
 * takes it; a part that was there and had one keeps it (a later edit does not make it permanent);
 * a new part without one gets the mesh's maximum, when the mesh sets one; a part that is gone
 * from every config cluster loses its end.
 */
export async function recordExpiries(
  store: Pick<ExpiryStore, 'forHost' | 'set' | 'remove'>,
  change: {
    target: MeshTarget;
    intentBefore?: TrafficIntent;
    intentAfter?: TrafficIntent;
    ends: Partial<Record<RiskyPart, number>>;
    setBy: string;
    maxMs?: number;
    /** The change wrote every config cluster: parts it took out are gone everywhere. */
    removeGone: boolean;
    now?: number;
  },
): Promise<void> {
  const key = hostKey(change.target);
  const rows = await store.forHost(key);
  const present = riskyParts(change.intentAfter);
  const before = riskyParts(change.intentBefore);
  if (change.removeGone)
    await store.remove(
      key,
      rows.filter(r => !present.includes(r.part)).map(r => r.part),
    );
  const now = change.now ?? Date.now();
  for (const part of present) {
    // A part that was there keeps its end; one that is new (re-added, or adopted from someone
    // else) does not inherit an old one.
    const kept = before.includes(part) && rows.some(r => r.part === part);
    const end =
      change.ends[part] ??
      (kept || change.maxMs === undefined ? undefined : now + change.maxMs);
    if (end !== undefined)
      await store.set(change.target, part, end, change.setBy);
    else if (!kept && rows.some(r => r.part === part))
      await store.remove(key, [part]);
  }
}
