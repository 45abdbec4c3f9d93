import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeObject } from './incoming';
import { ObjectStore } from './objectStore';
import { ResourcePath } from './paths';
import { groupVersion } from './resources';
import { expired } from './status';
import { asTable } from './table';
import { StoredEvent, WatchEventType } from './watchHistory';

/** The API server's default when a client names no timeoutSeconds (its --min-request-timeout). */
const DEFAULT_TIMEOUT_SECONDS = 1800;

export interface WatchOptions {
  /** How often a watch that allows bookmarks gets one. */
  bookmarkIntervalMs: number;
  /** Each event's object as a one-row Table, for `kubectl get -w`. */
  table: boolean;
  /** Holds each change back this long before it is streamed: a slow watch, for tests of read-your-writes. */
  eventDelayMs?: number;
}

/** Whether a GET asks to watch (`watch=1` or `watch=true`). */
export function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === '1' || w === 'true';
}

/**
 * Serves one watch as the API server does: a stream of JSON lines `{type, object}`. Without a
 * resourceVersion (or "0") it starts with ADDED for every object there is; with one, it replays
 * every change after it, or ends with an ERROR event holding a 410 Expired Status when that
 * history is compacted away. Changes follow as they happen, filtered by the selectors (an object a
 * change moves into or out of the selection is ADDED or DELETED); BOOKMARKs when allowed; the
 * stream ends after `timeoutSeconds`. Resolves when the stream ends.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  target: ResourcePath,
  q: URLSearchParams,
  options: WatchOptions,
): Promise<void> {
  const matches = store.matcher(q);
  const inScope = (o: KubeObject | undefined) =>
    o !== undefined &&
    (target.namespace === undefined ||
      o.metadata.namespace === target.namespace) &&
    matches(o);
  const sameType = (e: StoredEvent) =>
    e.resource.group === target.type.group &&
    e.resource.resource === target.type.resource;
  const present = (o: KubeObject) => {
    const out = {
      ...o,
      apiVersion: groupVersion(target.type.group, target.version),
      kind: target.type.kind,
    };
    return options.table ? asTable(target.type, [out]) : out;
  };

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
  });
  // The client's request resolves on the headers: an idle watch must not hold them back.
  res.flushHeaders();
  const write = (
    type: WatchEventType | 'BOOKMARK' | 'ERROR',
    object: unknown,
  ) =>
    res.writableEnded || res.destroyed
      ? undefined
      : res.write(`${JSON.stringify({ type, object })}\n`);
  // Equal delays keep the order: timers of one delay fire in the order they were set.
  const send = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: unknown) =>
    options.eventDelayMs && type !== 'ERROR'
      ? void setTimeout(() => write(type, object), options.eventDelayMs)
      : write(type, object);
  const emit = (e: StoredEvent) => {
    if (!sameType(e)) return;
    const now = inScope(e.object);
    const before = e.type !== 'ADDED' && inScope(e.previous);
    if (e.type === 'DELETED') {
      if (before) send('DELETED', present(e.object));
    } else if (now && before) send('MODIFIED', present(e.object));
    else if (now) send('ADDED', present(e.object));
    else if (before) send('DELETED', present(e.object));
  };

  const from = q.get('resourceVersion');
  const start = from && from !== '0' ? Number(from) : undefined;
  if (start !== undefined && !(start >= store.history.compactedAt)) {
    const status = expired(
      `too old resource version: ${from} (${store.history.compactedAt})`,
    ).toStatus();
    send('ERROR', status);
    res.end();
    return Promise.resolve();
  }
  if (start === undefined) {
    for (const o of store.current(target))
      if (matches(o)) send('ADDED', present(o));
  } else {
    for (const e of store.history.since(start)) emit(e);
  }

  const unsubscribe = store.history.subscribe(emit);
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const bookmark = bookmarks
    ? setInterval(
        () =>
          send('BOOKMARK', {
            kind: target.type.kind,
            apiVersion: groupVersion(target.type.group, target.version),
            metadata: { resourceVersion: store.currentResourceVersion },
          }),
        options.bookmarkIntervalMs,
      )
    : undefined;
  const timeoutSeconds = Number(
    q.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS,
  );
  return new Promise(resolve => {
    const timers: { end?: NodeJS.Timeout } = {};
    const end = () => {
      clearTimeout(timers.end);
      if (bookmark) clearInterval(bookmark);
      unsubscribe();
      if (!res.writableEnded && !res.destroyed) res.end();
      resolve();
    };
    timers.end = setTimeout(end, Math.max(0, timeoutSeconds) * 1000);
    req.on('close', end);
    res.on('close', end);
  });
}
