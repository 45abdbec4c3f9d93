import type { KubeObject } from './incoming';
import type { ResourceType } from './resources';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change to one object, at the resourceVersion the change gave it. */
export interface StoredEvent {
  rv: number;
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before the change, so a selector a change moves an object into or out of can be judged. */
  previous?: KubeObject;
}

/** etcd keeps about five minutes of history; the sandbox keeps a bounded number of changes. */
const DEFAULT_LIMIT = 50_000;

/**
 * The changes a watch can resume from. Older changes are compacted away, as etcd does: a watch or
 * a continue token from before `compactedAt` is answered with 410 Gone and the client must list
 * again. Stored objects are never mutated after they are stored, so events hold them as they are.
 */
export class WatchHistory {
  private events: StoredEvent[] = [];
  private readonly listeners = new Set<(e: StoredEvent) => void>();
  /** Changes at or below this resourceVersion are no longer held. */
  compactedAt = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  record(
    resource: ResourceType,
    type: WatchEventType,
    object: KubeObject,
    previous?: KubeObject,
  ) {
    const event: StoredEvent = {
      rv: Number(object.metadata.resourceVersion),
      type,
      resource,
      object,
      ...(previous ? { previous } : {}),
    };
    this.events.push(event);
    if (this.events.length > this.limit) {
      const dropped = this.events.splice(0, this.events.length - this.limit);
      this.compactedAt = dropped[dropped.length - 1].rv;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** The held changes after a resourceVersion, oldest first. */
  since(rv: number): StoredEvent[] {
    return this.events.filter(e => e.rv > rv);
  }

  /** Forgets every change up to now: a watch from any earlier resourceVersion gets 410 Gone. */
  compact(currentRv: number) {
    this.events = [];
    this.compactedAt = currentRv;
  }

  subscribe(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
