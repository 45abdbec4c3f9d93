import { parse as parseYaml } from 'yaml';
import {
  ApplyConflict,
  formatPath,
  sameValue,
  toManagedFields,
  ManagedEntry,
} from './fieldManagement';
import { KubeObject, refOf } from './incoming';
import { ResourcePath } from './paths';
import { badRequest, conflict, StatusError } from './status';

/** The 422 an API server answers to an apply without a field manager. */
export function fieldManagerRequired() {
  return new StatusError(
    422,
    'Invalid',
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    {
      causes: [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ],
    },
  );
}

/** An apply body: JSON (a subset of YAML, and what most clients send, decoded as JSON for speed) or YAML. */
export function parseApplyBody(body: string): KubeObject {
  let config: KubeObject;
  try {
    try {
      config = JSON.parse(body);
    } catch {
      config = parseYaml(body);
    }
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  if (!config || typeof config !== 'object')
    throw badRequest('the apply patch is not an object');
  return config;
}

/** The 409 naming the other managers whose fields an unforced apply would change. */
export function applyConflict(
  target: ResourcePath,
  conflicts: ApplyConflict[],
  apiVersion: string,
) {
  const causes = conflicts.map(c => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}" using ${apiVersion}`,
    field: formatPath(c.path),
  }));
  const list = causes.map(c => `- ${c.message}: ${c.field}`).join('\n');
  const summary =
    causes.length === 1
      ? `${causes[0].message}: ${causes[0].field}`
      : `\n${list}`;
  return conflict(
    refOf(target),
    `Apply failed with ${causes.length} conflict${
      causes.length > 1 ? 's' : ''
    }: ${summary}`,
    causes,
  );
}

function stripVolatile(o: KubeObject) {
  const { metadata, ...rest } = o;
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    ...meta
  } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/** managedFields less their times. */
function withoutTimes(entries: unknown) {
  return Array.isArray(entries)
    ? entries.map(({ time: _t, ...rest }) => rest)
    : entries;
}

/** Whether an apply changes nothing: then the object, its resourceVersion included, stays as it was. */
export function changesNothing(
  live: KubeObject | undefined,
  next: KubeObject,
  entries: ManagedEntry[],
) {
  return (
    live !== undefined &&
    sameValue(stripVolatile(live), stripVolatile(next)) &&
    sameValue(
      withoutTimes(live.metadata.managedFields),
      withoutTimes(toManagedFields(entries)),
    )
  );
}
