/**
 * Field ownership as the API server keeps it in `metadata.managedFields`, reduced to what the
 * sandbox's callers exercise: maps are merged key by key, lists are atomic (the default for CRD
 * lists without `x-kubernetes-list-type`, which is how Istio's CRDs declare theirs), scalars are
 * leaves. A field path is a list of map keys.
 */

export type FieldPath = string[];

/** Fields the server owns itself; never part of a manager's set. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
]);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The leaf field paths an object sets (apiVersion, kind and server metadata excluded). */
export function leafPaths(obj: Record<string, unknown>): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (value: unknown, path: FieldPath) => {
    if (isMap(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) {
        if (
          path.length === 1 &&
          path[0] === 'metadata' &&
          SERVER_METADATA.has(k)
        )
          continue;
        walk(v, [...path, k]);
      }
    } else {
      out.push(path);
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    walk(v, [k]);
  }
  return out;
}

export function getPath(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function setPath(
  obj: Record<string, unknown>,
  path: FieldPath,
  value: unknown,
) {
  let cur: Record<string, unknown> = obj;
  for (const key of path.slice(0, -1)) {
    if (!isMap(cur[key])) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = structuredClone(value);
}

/** Removes a field and then any map it leaves empty. */
export function deletePath(obj: Record<string, unknown>, path: FieldPath) {
  const parents: Array<[Record<string, unknown>, string]> = [];
  let cur: Record<string, unknown> = obj;
  for (const key of path.slice(0, -1)) {
    if (!isMap(cur[key])) return;
    parents.push([cur, key]);
    cur = cur[key] as Record<string, unknown>;
  }
  delete cur[path[path.length - 1]];
  for (let i = parents.length - 1; i >= 0; i--) {
    const [parent, key] = parents[i];
    if (isMap(parent[key]) && Object.keys(parent[key] as object).length === 0)
      delete parent[key];
    else break;
  }
}

const key = (p: FieldPath) => JSON.stringify(p);

/** JSON with map keys sorted, so equal values print alike whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isMap(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter(k => value[k] !== undefined)
      .map(k => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Value equality as the API server judges it: maps are unordered, lists are ordered. */
export function sameValue(a: unknown, b: unknown) {
  return canonical(a) === canonical(b);
}

/** One entry of `metadata.managedFields`, with its field set held as paths. */
export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  paths: FieldPath[];
}

/** `fieldsV1` as the API server writes it: nested `f:<key>` maps, `{}` at each leaf. */
export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const path of paths) {
    let cur = root;
    for (const k of path) {
      cur[`f:${k}`] ??= {};
      cur = cur[`f:${k}`];
    }
  }
  return root;
}

export function fromFieldsV1(
  fields: Record<string, unknown> | undefined,
): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: Record<string, unknown>, path: FieldPath) => {
    const children = Object.keys(node).filter(k => k.startsWith('f:'));
    if (!children.length && path.length) out.push(path);
    for (const c of children)
      walk(node[c] as Record<string, unknown>, [...path, c.slice(2)]);
  };
  walk(fields ?? {}, []);
  return out;
}

export function toManagedFields(entries: ManagedEntry[]) {
  return entries
    .filter(e => e.paths.length)
    .map(e => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(e.paths),
    }));
}

export function fromManagedFields(raw: unknown): ManagedEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((m: any) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    time: m.time,
    paths: fromFieldsV1(m.fieldsV1),
  }));
}

export interface ApplyConflict {
  manager: string;
  path: FieldPath;
}

export interface ApplyResult {
  object: Record<string, unknown>;
  entries: ManagedEntry[];
  conflicts: ApplyConflict[];
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined when creating). A field set to
 * a different value than another manager owns is a conflict unless `force`, which takes it over;
 * fields this manager applied before and no longer does are removed when nobody else owns them.
 */
export function serverSideApply(opts: {
  live: Record<string, unknown> | undefined;
  entries: ManagedEntry[];
  config: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  force: boolean;
  now: string;
}): ApplyResult {
  const { live, config, manager, force } = opts;
  const applied = leafPaths(config);
  const appliedKeys = new Set(applied.map(key));
  const conflicts: ApplyConflict[] = [];
  const others = opts.entries.filter(
    e => !(e.manager === manager && e.operation === 'Apply'),
  );
  const mine = opts.entries.find(
    e => e.manager === manager && e.operation === 'Apply',
  );

  for (const entry of others) {
    for (const path of entry.paths) {
      if (!appliedKeys.has(key(path))) continue;
      if (!sameValue(getPath(live, path), getPath(config, path)))
        conflicts.push({ manager: entry.manager, path });
    }
  }
  if (conflicts.length && !force)
    return { object: live ?? {}, entries: opts.entries, conflicts };

  const object: Record<string, unknown> = structuredClone(live ?? {});
  const ownedByOthers = new Set(others.flatMap(e => e.paths.map(key)));
  for (const path of mine?.paths ?? []) {
    if (!appliedKeys.has(key(path)) && !ownedByOthers.has(key(path)))
      deletePath(object, path);
  }
  for (const path of applied) setPath(object, path, getPath(config, path));

  const conflicting = new Set(conflicts.map(c => key(c.path)));
  const entries: ManagedEntry[] = others
    .map(e => ({ ...e, paths: e.paths.filter(p => !conflicting.has(key(p))) }))
    .filter(e => e.paths.length);
  entries.push({
    manager,
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    time: opts.now,
    paths: applied,
  });
  return { object, entries, conflicts };
}

/**
 * Ownership after a non-apply write (create, update, merge patch): `manager` owns the fields it
 * changed or set; other managers lose those fields, and fields that no longer exist are dropped.
 */
export function recordUpdate(opts: {
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown>;
  entries: ManagedEntry[];
  manager: string;
  apiVersion: string;
  now: string;
}): ManagedEntry[] {
  const afterPaths = leafPaths(opts.after);
  const existing = new Set(afterPaths.map(key));
  const changed = afterPaths.filter(
    p => !sameValue(getPath(opts.before, p), getPath(opts.after, p)),
  );
  const changedKeys = new Set(changed.map(key));
  const entries = opts.entries
    .map(e => ({
      ...e,
      paths: e.paths.filter(
        p => existing.has(key(p)) && !changedKeys.has(key(p)),
      ),
    }))
    .filter(e => e.paths.length);
  if (!changed.length) return entries;
  const mine = entries.find(
    e => e.manager === opts.manager && e.operation === 'Update',
  );
  if (mine) {
    const have = new Set(mine.paths.map(key));
    mine.paths.push(...changed.filter(p => !have.has(key(p))));
    mine.time = opts.now;
  } else {
    entries.push({
      manager: opts.manager,
      operation: 'Update',
      apiVersion: opts.apiVersion,
      time: opts.now,
      paths: changed,
    });
  }
  return entries;
}

export function formatPath(path: FieldPath): string {
  return `.${path.join('.')}`;
}
