import crypto from 'node:crypto';
import {
  applyConflict,
  changesNothing,
  fieldManagerRequired,
  parseApplyBody,
} from './applyRequest';
import {
  fromManagedFields,
  ManagedEntry,
  recordUpdate,
  sameValue,
  serverSideApply,
  toManagedFields,
} from './fieldManagement';
import {
  KubeObject,
  modifiedConflict,
  normalizeIncoming,
  refOf,
  SERVER_SET,
  validateWrite,
} from './incoming';
import { ResourcePath } from './paths';
import { groupVersion, ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { alreadyExists, badRequest, expired, notFound } from './status';
import { CrdValidator } from './validation';
import { AcceptedWrite, WriteLog } from './writeLog';
import { WatchHistory } from './watchHistory';

/** What a write answers: the status code and the object (or Status) as the client sees it. */
export interface WriteAnswer {
  code: number;
  object: KubeObject;
}

/**
 * One cluster's objects and what a request may do to them, as the API server judges it:
 * preconditions, schemas, field management, dry runs, a resourceVersion per write, a log of
 * accepted writes. Knows nothing of HTTP.
 */
export class ObjectStore {
  /** Every write accepted, in order: for tests of what held at each moment. */
  readonly writes = new WriteLog();
  /** Every change, as a watch streams it; bounded, like etcd's history after compaction. */
  readonly history = new WatchHistory();
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = 0;

  constructor(private readonly validator: CrdValidator) {}

  /** Puts an object in the store as if it had been created, for seeding topologies. */
  seed(type: ResourceType, obj: KubeObject) {
    const stored = this.stamp(structuredClone(obj), undefined);
    stored.metadata.managedFields = toManagedFields(
      recordUpdate({
        before: undefined,
        after: stored,
        entries: [],
        manager: 'kube-sandbox',
        apiVersion: stored.apiVersion,
        now: now(),
      }),
    );
    const key = this.key(type, stored.metadata.namespace, stored.metadata.name);
    const previous = this.objects.get(key);
    this.objects.set(key, stored);
    this.history.record(
      type,
      previous ? 'MODIFIED' : 'ADDED',
      stored,
      previous,
    );
  }

  /** Forgets the history of changes: every watch or continue token from before now gets 410 Gone. */
  compactHistory() {
    this.history.compact(this.resourceVersion);
  }

  /** Every object of a type (and namespace) a watch from "now" starts with, in list order. */
  current(target: ResourcePath): KubeObject[] {
    return this.ofType(target.type)
      .filter(
        o =>
          target.namespace === undefined ||
          o.metadata.namespace === target.namespace,
      )
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      );
  }

  /** The resourceVersion of the store now: what a list, a bookmark or a watch from "now" names. */
  get currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  /** Objects of a type (for tests and the admin endpoint). */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.ofType(type).filter(
      o => namespace === undefined || o.metadata.namespace === namespace,
    );
  }

  get(target: ResourcePath): KubeObject {
    const obj = this.objects.get(
      this.key(target.type, target.namespace, target.name!),
    );
    if (!obj) throw notFound(refOf(target));
    return present(target, obj);
  }

  /**
   * A list, in pages when `limit` is given: `continue` names the list's resourceVersion and where
   * the page ended. A later page reads the store as it is then, under the first page's
   * resourceVersion, so a client that watches from it sees every change made meanwhile; a token
   * older than the compacted history is refused with 410 Expired, as the API server does.
   */
  listObjects(target: ResourcePath, q: URLSearchParams) {
    const matches = this.matcher(q);
    const page = readContinue(q.get('continue'));
    if (page && Number(page.rv) < this.history.compactedAt)
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    const all = this.ofType(target.type)
      .filter(
        o =>
          target.namespace === undefined ||
          o.metadata.namespace === target.namespace,
      )
      .filter(matches)
      .map(o => ({ o, at: `${o.metadata.namespace ?? ''}/${o.metadata.name}` }))
      // Code-unit order, the order the continue token's `after` compares in.
      .sort((a, b) => Number(a.at > b.at) - Number(a.at < b.at))
      .filter(e => !page || e.at > page.after);
    const limit = Number(q.get('limit') ?? 0);
    const taken = limit > 0 ? all.slice(0, limit) : all;
    const rest = all.length - taken.length;
    const rv = page?.rv ?? String(this.resourceVersion);
    return {
      apiVersion: groupVersion(target.type.group, target.version),
      kind: `${target.type.kind}List`,
      metadata: {
        resourceVersion: rv,
        ...(rest > 0
          ? {
              continue: writeContinue(rv, taken[taken.length - 1].at),
              remainingItemCount: rest,
            }
          : {}),
      },
      items: taken.map(e => present(target, e.o)),
    };
  }

  /** What a list's or a watch's label and field selectors let through. */
  matcher(q: URLSearchParams): (o: KubeObject) => boolean {
    const matchesLabels = parseLabelSelector(q.get('labelSelector'));
    const matchesFields = parseFieldSelector(q.get('fieldSelector'));
    return o => matchesLabels(o.metadata.labels ?? {}) && matchesFields(o);
  }

  create(
    target: ResourcePath,
    body: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const obj = normalizeIncoming(target, body);
    for (const field of SERVER_SET) delete obj.metadata[field];
    validateWrite(this.validator, target, obj);
    this.requireNamespace(target);
    const key = this.key(target.type, target.namespace, obj.metadata.name);
    if (this.objects.has(key))
      throw alreadyExists(refOf(target, obj.metadata.name));
    return this.commit('create', target, key, undefined, obj, manager, dryRun);
  }

  /** PUT: a whole object, at the resourceVersion it names when it names one (409 otherwise). */
  update(
    target: ResourcePath,
    body: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const obj = normalizeIncoming(target, body, target.name);
    if (obj.metadata.name !== target.name)
      throw badRequest(
        'the name of the object does not match the name on the URL',
      );
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (!live) throw notFound(refOf(target));
    if (
      obj.metadata.resourceVersion &&
      obj.metadata.resourceVersion !== live.metadata.resourceVersion
    )
      throw modifiedConflict(target);
    validateWrite(this.validator, target, obj);
    return this.commit('update', target, key, live, obj, manager, dryRun);
  }

  /** A merge patch or a JSON patch (`patched` makes the new object from the live one). */
  patch(
    target: ResourcePath,
    patched: (live: KubeObject) => unknown,
    manager: string,
    dryRun: boolean,
  ) {
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (!live) throw notFound(refOf(target));
    const obj = normalizeIncoming(
      target,
      patched(live) as KubeObject,
      target.name,
    );
    validateWrite(this.validator, target, obj);
    return this.commit('patch', target, key, live, obj, manager, dryRun);
  }

  /**
   * Server-side apply. A resourceVersion in the configuration is a precondition on an existing
   * object (an absent object is created whatever it says, as the API server does).
   */
  apply(
    target: ResourcePath,
    body: string,
    options: { manager: string | null; force: boolean; dryRun: boolean },
  ): WriteAnswer {
    if (!options.manager) throw fieldManagerRequired();
    const obj = normalizeIncoming(target, parseApplyBody(body), target.name);
    if (obj.metadata.name !== target.name)
      throw badRequest(
        'the name of the object does not match the name on the URL',
      );
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    const expected = obj.metadata.resourceVersion;
    if (live && expected && expected !== live.metadata.resourceVersion)
      throw modifiedConflict(target);
    const config = structuredClone(obj);
    for (const field of SERVER_SET) delete config.metadata[field];
    if (!live) this.requireNamespace(target);
    const apiVersion = groupVersion(target.type.group, target.version);
    const result = serverSideApply({
      live,
      entries: fromManagedFields(live?.metadata.managedFields),
      config,
      manager: options.manager,
      apiVersion,
      force: options.force,
      now: now(),
    });
    if (result.conflicts.length && !options.force)
      throw applyConflict(target, result.conflicts, apiVersion);
    const next = normalizeIncoming(target, result.object, target.name);
    validateWrite(this.validator, target, next);
    if (changesNothing(live, next, result.entries))
      return { code: 200, object: present(target, live!) };
    return {
      code: live ? 200 : 201,
      object: this.store(
        'apply',
        target,
        key,
        live,
        next,
        result.entries,
        options.dryRun,
      ),
    };
  }

  /** DELETE, honouring `DeleteOptions.preconditions` on uid and resourceVersion. */
  remove(target: ResourcePath, options: KubeObject, dryRun: boolean) {
    const key = this.key(target.type, target.namespace, target.name!);
    const live = this.objects.get(key);
    if (!live) throw notFound(refOf(target));
    const preconditions = options.preconditions ?? {};
    for (const [field, label] of [
      ['uid', 'UID'],
      ['resourceVersion', 'ResourceVersion'],
    ] as const) {
      const wanted = preconditions[field];
      if (wanted && wanted !== live.metadata[field]) {
        throw modifiedConflict(
          target,
          `Precondition failed: ${label} in precondition: ${wanted}, ${label} in object meta: ${live.metadata[field]}`,
        );
      }
    }
    if (!dryRun) {
      this.objects.delete(key);
      const { namespace, name, annotations } = live.metadata;
      const resourceVersion = this.nextResourceVersion();
      this.writes.record({
        verb: 'delete',
        kind: target.type.kind,
        namespace,
        name,
        resourceVersion,
        annotations,
      });
      // The DELETED event carries the object's last state at the deletion's resourceVersion.
      const gone = { ...live, metadata: { ...live.metadata, resourceVersion } };
      this.history.record(target.type, 'DELETED', gone, live);
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: target.name,
        group: target.type.group,
        kind: target.type.resource,
        uid: live.metadata.uid,
      },
    };
  }

  private commit(
    verb: AcceptedWrite['verb'],
    target: ResourcePath,
    key: string,
    live: KubeObject | undefined,
    obj: KubeObject,
    manager: string,
    dryRun: boolean,
  ) {
    const entries = recordUpdate({
      before: live,
      after: obj,
      entries: fromManagedFields(live?.metadata.managedFields),
      manager,
      apiVersion: groupVersion(target.type.group, target.version),
      now: now(),
    });
    return this.store(verb, target, key, live, obj, entries, dryRun);
  }

  private store(
    verb: AcceptedWrite['verb'],
    target: ResourcePath,
    key: string,
    live: KubeObject | undefined,
    obj: KubeObject,
    entries: ManagedEntry[],
    dryRun: boolean,
  ) {
    const next = structuredClone(obj);
    next.metadata.managedFields = toManagedFields(entries);
    if (dryRun) {
      // Validated and computed, not stored: the answer looks like the write's, nothing changes.
      const preview = structuredClone(next);
      preview.metadata.uid = live?.metadata.uid ?? crypto.randomUUID();
      preview.metadata.creationTimestamp =
        live?.metadata.creationTimestamp ?? now();
      preview.metadata.generation = live?.metadata.generation ?? 1;
      preview.metadata.resourceVersion = live?.metadata.resourceVersion ?? '';
      return present(target, preview);
    }
    this.stamp(next, live);
    this.objects.set(key, next);
    this.history.record(target.type, live ? 'MODIFIED' : 'ADDED', next, live);
    const { namespace, name, resourceVersion, annotations } = next.metadata;
    this.writes.record({
      verb,
      kind: target.type.kind,
      namespace,
      name,
      resourceVersion,
      annotations,
      spec: next.spec,
    });
    return present(target, next);
  }

  private requireNamespace(target: ResourcePath) {
    if (!target.type.namespaced) return;
    if (!this.objects.has(`|namespaces||${target.namespace}`)) {
      throw notFound({
        kind: 'Namespace',
        group: '',
        resource: 'namespaces',
        name: target.namespace ?? '',
      });
    }
  }

  private ofType(type: ResourceType): KubeObject[] {
    const prefix = `${type.group}|${type.resource}|`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => o);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string) {
    return `${type.group}|${type.resource}|${namespace ?? ''}|${name}`;
  }

  private nextResourceVersion() {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  /** Server-set metadata on a new or changed object. */
  private stamp(obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (previous) {
      meta.uid = previous.metadata.uid;
      meta.creationTimestamp = previous.metadata.creationTimestamp;
      meta.generation =
        (previous.metadata.generation ?? 1) +
        (sameValue(previous.spec, obj.spec) ? 0 : 1);
    } else {
      meta.uid = crypto.randomUUID();
      meta.creationTimestamp = now();
      meta.generation = 1;
    }
    meta.resourceVersion = this.nextResourceVersion();
    return obj;
  }
}

/** A continue token: the list's resourceVersion and the last key its pages have given. */
function writeContinue(rv: string, after: string): string {
  return Buffer.from(JSON.stringify({ rv, after })).toString('base64url');
}

function readContinue(
  token: string | null,
): { rv: string; after: string } | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (typeof parsed.rv === 'string' && typeof parsed.after === 'string')
      return parsed;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: the token is malformed');
}

function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The object as the requested version presents it (Istio serves v1, v1beta1, v1alpha3 alike). */
function present(target: ResourcePath, obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  out.apiVersion = groupVersion(target.type.group, target.version);
  out.kind = target.type.kind;
  return out;
}
