import { LoggerService } from '@backstage/backend-plugin-api';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';
import {
  classifyClusterError,
  ClusterTimeoutError,
  describeClusterError,
} from '../clusterErrors';
import { keyOf, Keyed, ObjectIndex } from './ObjectIndex';
import { plainJson, WatchedKind } from './watchedKinds';
import { WatchTransport } from './WatchTransport';

/** How one watched kind of one cluster stands. */
export interface CollectionHealth {
  kind: string;
  synced: boolean;
  /** When the last full list completed. */
  syncedAt?: string;
  /** Since when the list or watch has been failing; unset while the watch is live. */
  brokenSince?: string;
  error?: string;
  objects: number;
  /** The CRD is not installed on this cluster: nothing to watch. */
  absent?: boolean;
}

export interface CollectionOptions {
  pageSize: number;
  /** Objects handled between yields to the event loop while a list is taken in. */
  sliceSize: number;
  /** The server ends each watch after about this long; the cache watches again from where it was. */
  watchSeconds: number;
  maxBackoffMs: number;
  /** How long an object our own write answered is shown over what the watch has delivered. */
  overlayMs: number;
  /** How often a kind whose CRD is absent is looked for again. */
  absentRecheckMs: number;
  /** How long a watch may take to open (its answer's headers). */
  openTimeoutMs: number;
  /** Silence after which an open stream is taken for a dead connection (bookmarks come about every minute). */
  quietLimitMs: number;
  /** A stream that ends sooner than this is retried after a backoff, not at once. */
  shortStreamMs: number;
}

export const DEFAULT_COLLECTION_OPTIONS: CollectionOptions = {
  pageSize: 250,
  sliceSize: 100,
  watchSeconds: 300,
  maxBackoffMs: 30_000,
  overlayMs: 60_000,
  absentRecheckMs: 60_000,
  openTimeoutMs: 30_000,
  quietLimitMs: 150_000,
  shortStreamMs: 1_000,
};

/** An object our own write answered (or removed), shown until the watch has delivered it. */
interface Overlay<T> {
  object?: T;
  at: number;
}

/**
 * Resource versions are etcd revisions: integers that grow with every write of the cluster
 * (Kubernetes 1.35 documents them as comparable). A version that is not one compares as unknown.
 */
function newer(
  a: string | undefined,
  b: string | undefined,
): boolean | undefined {
  const x = Number(a);
  const y = Number(b);
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return undefined;
  return x > y;
}

class WatchExpired extends Error {}

/**
 * One kind of one cluster, kept by list then watch, as an informer does: a paged list (taken in
 * slices, so a large one never holds the event loop), then a watch from the list's
 * resourceVersion with bookmarks; watched again from the last version seen when a stream ends,
 * listed again on 410 Gone, and retried with backoff when the cluster fails, reporting since when.
 */
export class WatchedCollection<T extends Keyed> {
  private index: ObjectIndex<T>;
  private readonly overlays = new Map<string, Overlay<T>>();
  private resourceVersion?: string;
  private started = false;
  private stopped = false;
  private abort?: AbortController;
  private wake?: () => void;
  private syncedAt?: Date;
  private brokenSince?: Date;
  private lastError?: string;
  private absent = false;
  private readonly syncWaiters = new Set<() => void>();

  constructor(
    readonly kind: WatchedKind<T>,
    private readonly transport: WatchTransport,
    private readonly cluster: string,
    private readonly logger?: LoggerService,
    private readonly options: CollectionOptions = DEFAULT_COLLECTION_OPTIONS,
  ) {
    this.index = new ObjectIndex(kind.indexers);
  }

  start() {
    if (this.started) return;
    this.started = true;
    this.run().catch(e =>
      this.logger?.error(
        `mesh: the ${this.kind.kind} watch of cluster ${this.cluster} stopped`,
        e,
      ),
    );
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    for (const w of this.syncWaiters) w();
  }

  get synced() {
    return this.syncedAt !== undefined;
  }

  health(): CollectionHealth {
    return {
      kind: this.kind.kind,
      synced: this.synced,
      ...(this.syncedAt ? { syncedAt: this.syncedAt.toISOString() } : {}),
      ...(this.brokenSince
        ? { brokenSince: this.brokenSince.toISOString() }
        : {}),
      ...(this.lastError && this.brokenSince ? { error: this.lastError } : {}),
      objects: this.index.size,
      ...(this.absent ? { absent: true } : {}),
    };
  }

  /**
   * Resolves once the first list is in, or has failed, or after `ms`, whichever is first; true
   * when synced. A cluster that refuses the list is not waited on: the read says so at once.
   */
  async whenSynced(ms: number): Promise<boolean> {
    this.start();
    if (this.synced || this.stopped || this.brokenSince) return this.synced;
    let done!: () => void;
    const waited = new Promise<void>(r => (done = r));
    this.syncWaiters.add(done);
    const timer = setTimeout(done, ms);
    await waited;
    clearTimeout(timer);
    this.syncWaiters.delete(done);
    return this.synced;
  }

  /** The objects an index files under a value, with our own latest writes over them. */
  find(index: string, value: string): T[] {
    const now = Date.now();
    const found = this.index
      .find(index, value)
      .filter(o => !this.liveOverlay(keyOf(o), now));
    for (const [key, overlay] of this.overlays) {
      if (!this.liveOverlay(key, now) || !overlay.object) continue;
      if (this.index.matches(index, overlay.object, value))
        found.push(overlay.object);
    }
    return found;
  }

  count(index: string, value: string): number {
    return this.index.count(index, value);
  }

  values(index: string): string[] {
    return this.index.values(index);
  }

  get(key: string): T | undefined {
    const overlay = this.liveOverlay(key, Date.now());
    if (overlay) return overlay.object;
    return this.index.get(key);
  }

  /**
   * Our own write's answer: the next read shows it, whether or not the watch has delivered it
   * yet. Nothing is added when the stream is already past it (the index has it, or what followed).
   */
  observe(raw: unknown) {
    const object = this.kind.slim(plainJson(raw));
    const rv = object.metadata.resourceVersion;
    if (newer(rv, this.resourceVersion) === false) return;
    const key = keyOf(object);
    const held = this.index.get(key)?.metadata.resourceVersion;
    if (held && newer(rv, held) === false) return;
    this.overlays.set(key, { object, at: Date.now() });
  }

  /**
   * Our own delete: the next read no longer shows the object, also when only our create's answer
   * held it (the watch then brings ADDED, then DELETED, and the tombstone lasts until the latter).
   */
  observeDeleted(namespace: string | undefined, name: string) {
    const key = `${namespace ?? ''}/${name}`;
    if (!this.index.get(key) && !this.overlays.has(key)) return;
    this.overlays.set(key, { at: Date.now() });
  }

  private liveOverlay(key: string, now: number): Overlay<T> | undefined {
    const overlay = this.overlays.get(key);
    if (!overlay) return undefined;
    if (now - overlay.at > this.options.overlayMs) {
      this.overlays.delete(key);
      return undefined;
    }
    return overlay;
  }

  /**
   * Drops an overlay once the watch or a list has caught up with it: a tombstone when the object
   * is gone; our object when the index holds it at its version or later, or when it was seen gone
   * (deleted, or missing from a list) at a later version.
   */
  private settle(key: string, absentAt?: string) {
    const overlay = this.overlays.get(key);
    if (!overlay) return;
    const held = this.index.get(key);
    if (!overlay.object) {
      if (!held) this.overlays.delete(key);
      return;
    }
    const rv = overlay.object.metadata.resourceVersion;
    const caughtUp = held
      ? newer(rv, held.metadata.resourceVersion) !== true
      : absentAt !== undefined && newer(rv, absentAt) !== true;
    if (caughtUp) this.overlays.delete(key);
  }

  private async run() {
    // The loop's counters, in one object the stream's callbacks may close over.
    const n = { failures: 0, expiredInARow: 0, shortInARow: 0 };
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        if (this.absent) {
          await this.sleep(this.options.absentRecheckMs);
          this.resourceVersion = undefined;
          continue;
        }
        const lived = await this.watchOnce(() => {
          // The stream is open: whatever broke before is mended, the history resumed.
          if (this.brokenSince)
            this.logger?.info(
              `mesh: the ${this.kind.kind} watch of cluster ${this.cluster} is live again`,
            );
          this.brokenSince = undefined;
        });
        // Streams that end as soon as they open, again and again (a proxy's idle timeout, a
        // flapping link), are not opened again in a tight loop.
        if (lived < this.options.shortStreamMs) {
          n.shortInARow += 1;
          if (n.shortInARow > 1)
            await this.sleep(this.backoff(n.shortInARow - 1));
        } else {
          // A stream that lived its term: the cluster answers, the backoff starts again.
          n.failures = 0;
          n.shortInARow = 0;
          n.expiredInARow = 0;
        }
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof WatchExpired) {
          // The history is gone: until the new list is in, what is held may be old. Listed
          // again at once; a list whose version has expired again by its watch backs off.
          this.brokenSince ??= new Date();
          this.lastError = 'the watch history expired (410 Gone)';
          if (n.expiredInARow === 0)
            this.logger?.info(
              `mesh: the ${this.kind.kind} watch of cluster ${this.cluster} outlived the server's history (410 Gone); listing again`,
            );
          this.resourceVersion = undefined;
          n.expiredInARow += 1;
          if (n.expiredInARow > 1)
            await this.sleep(this.backoff(n.expiredInARow));
          continue;
        }
        n.failures += 1;
        const status = classifyClusterError(e).status;
        // 410: list again; 404 on an optional kind: its CRD went away, the list will say so.
        if (status === 410 || (status === 404 && this.kind.optional))
          this.resourceVersion = undefined;
        const first = n.failures === 1;
        this.brokenSince ??= new Date();
        this.lastError = describeClusterError(e);
        for (const w of this.syncWaiters) w();
        const backoff = this.backoff(n.failures);
        // Once when it breaks; its retries are at debug level, its mending at info.
        (first ? this.logger?.warn : this.logger?.debug)?.call(
          this.logger,
          `mesh: the ${this.kind.kind} watch of cluster ${this.cluster} failed (${this.lastError}); trying again in about ${backoff} ms`,
        );
        await this.sleep(backoff);
      }
    }
  }

  /** Exponential from half a second to the maximum, with jitter so clusters do not retry in step. */
  private backoff(failures: number): number {
    const base = Math.min(
      this.options.maxBackoffMs,
      500 * 2 ** Math.min(failures - 1, 10),
    );
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  /** A full list, page by page, into a new index that replaces the old one only when complete. */
  private async relist() {
    const next = new ObjectIndex<T>(this.kind.indexers);
    let continueToken: string | undefined;
    let listVersion: string | undefined;
    do {
      let page;
      try {
        page = await this.transport.listPage(this.kind.path, {
          limit: String(this.kind.pageSize ?? this.options.pageSize),
          ...(continueToken ? { continue: continueToken } : {}),
        });
      } catch (e) {
        const status = classifyClusterError(e).status;
        if (
          (this.kind.optional && status === 404) ||
          (this.kind.forbiddenIsAbsent && status === 403)
        ) {
          if (status === 403 && !this.absent)
            this.logger?.warn(
              `mesh: the backend may not list ${this.kind.kind} on cluster ${this.cluster} (403): read as none until its credential is granted list and watch`,
            );
          this.absent = true;
          this.index = new ObjectIndex<T>(this.kind.indexers);
          this.markSynced();
          return;
        }
        throw e;
      }
      listVersion ??= page.metadata.resourceVersion;
      await this.takeIn(page.items, o => next.set(o));
      continueToken = page.metadata.continue || undefined;
    } while (continueToken && !this.stopped);
    // A list cut short by stop() is not a list.
    if (this.stopped) return;
    this.absent = false;
    this.index = next;
    this.resourceVersion = listVersion;
    for (const key of [...this.overlays.keys()]) this.settle(key, listVersion);
    this.markSynced();
  }

  private markSynced() {
    this.syncedAt = new Date();
    this.brokenSince = undefined;
    for (const w of this.syncWaiters) w();
  }

  /** Slims and stores objects in slices, giving the event loop back between them. */
  private async takeIn(items: unknown[], put: (o: T) => void) {
    for (let i = 0; i < items.length; i += this.options.sliceSize) {
      for (const raw of items.slice(i, i + this.options.sliceSize))
        put(this.kind.slim(raw));
      await yieldToLoop();
    }
  }

  /**
   * One watch stream from the current resourceVersion, until it ends; answers how long it was
   * open. Rejects when it never opened (in time), when the server sent an ERROR event, or when
   * the history expired (410).
   */
  private watchOnce(opened: () => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let controller: AbortController | undefined;
      let failure: unknown;
      let openedAt: number | undefined;
      let done = false;
      const started = Date.now();
      const seconds = Math.round(
        this.options.watchSeconds * (0.8 + Math.random() * 0.4),
      );
      const timers: { watchdog?: NodeJS.Timeout } = {};
      let heard = Date.now();
      const finish = (err: unknown) => {
        if (done) return;
        done = true;
        clearInterval(timers.watchdog);
        controller?.abort();
        this.abort = undefined;
        if (failure) reject(failure);
        else if (err && (openedAt === undefined || this.stopped)) reject(err);
        else resolve(Date.now() - (openedAt ?? started));
      };
      // A stream quiet for longer than bookmarks ever leave it is a dead connection nobody
      // closed; one whose headers never came is a request that hangs.
      timers.watchdog = setInterval(() => {
        if (openedAt === undefined) {
          if (Date.now() - started > this.options.openTimeoutMs)
            finish(
              new ClusterTimeoutError(this.cluster, this.options.openTimeoutMs),
            );
        } else if (Date.now() - heard > this.options.quietLimitMs) {
          // Nothing for longer than bookmarks ever leave a stream: a dead connection, a failure
          // (stale until the watch is back), resumed from the version it had reached.
          failure = new ClusterTimeoutError(
            this.cluster,
            this.options.quietLimitMs,
          );
          finish(undefined);
        }
      }, 1_000);
      timers.watchdog.unref?.();
      const onEvent = (type: string, object: any) => {
        if (done) return;
        heard = Date.now();
        try {
          if (type === 'ERROR') {
            failure =
              object?.code === 410
                ? new WatchExpired()
                : new ApiException(
                    object?.code ?? 500,
                    object?.message ?? 'watch error',
                    JSON.stringify(object ?? {}),
                    {},
                  );
            // An error other than "too many requests" may mean what we hold is off: list again.
            if (object?.code !== 429) this.resourceVersion = undefined;
            finish(undefined);
            return;
          }
          const version = object?.metadata?.resourceVersion;
          if (type !== 'BOOKMARK') this.apply(type, object);
          if (version) this.resourceVersion = version;
        } catch (e) {
          // An event we could not take in is a gap: list again, and say so.
          this.resourceVersion = undefined;
          failure = e;
          finish(undefined);
        }
      };
      this.transport
        .watch(
          this.kind.path,
          {
            resourceVersion: this.resourceVersion ?? '',
            allowWatchBookmarks: true,
            timeoutSeconds: seconds,
          },
          onEvent,
          finish,
        )
        .then(c => {
          controller = c;
          if (done) {
            c.abort();
            return;
          }
          this.abort = c;
          openedAt = Date.now();
          opened();
          if (this.stopped) finish(undefined);
        }, finish);
    });
  }

  private apply(type: string, raw: unknown) {
    const object = this.kind.slim(raw);
    const key = keyOf(object);
    if (type === 'DELETED') this.index.delete(key);
    else if (type === 'ADDED' || type === 'MODIFIED') this.index.set(object);
    else return;
    this.settle(
      key,
      type === 'DELETED' ? object.metadata.resourceVersion : undefined,
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
