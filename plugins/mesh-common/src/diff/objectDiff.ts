import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { compareCodeUnits } from '../generate/hash';

/**
 * Objects as YAML for people and diffs: server-populated metadata dropped, so a diff against a
 * live object shows only what an apply would change.
 *
 * @public
 */
export function toComparableYaml(obj: unknown): string {
  if (obj === undefined || obj === null) return '';
  return stringify(ordered(stripServerFields(obj), 0), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}

const FIRST_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'namespace',
  'labels',
  'annotations',
  'spec',
];

/**
 * Keys in one order on both sides (the API server returns them in its own), so a diff shows
 * changed values, not reordered keys. Lists keep their order: it is meaningful.
 */
function ordered(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return value.map(v => ordered(v, depth + 1));
  if (!value || typeof value !== 'object') return value;
  const rank = (k: string) =>
    depth <= 1 && FIRST_KEYS.includes(k)
      ? FIRST_KEYS.indexOf(k)
      : FIRST_KEYS.length;
  const keys = Object.keys(value).sort(
    (a, b) => rank(a) - rank(b) || compareCodeUnits(a, b),
  );
  return Object.fromEntries(
    keys.map(k => [
      k,
      ordered((value as Record<string, unknown>)[k], depth + 1),
    ]),
  );
}

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
];

function stripServerFields(obj: any): any {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const { status: _status, ...rest } = obj;
  if (rest.metadata && typeof rest.metadata === 'object') {
    const metadata = { ...rest.metadata };
    for (const key of SERVER_METADATA) delete metadata[key];
    const annotations = { ...(metadata.annotations ?? {}) };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (metadata.annotations) metadata.annotations = annotations;
    rest.metadata = metadata;
  }
  return rest;
}

/**
 * A unified diff of one object, live to planned; empty when nothing changes. Either side may be
 * missing (creation, deletion).
 *
 * @public
 */
export function objectDiff(
  name: string,
  live: unknown,
  planned: unknown,
): string {
  const before = toComparableYaml(live);
  const after = toComparableYaml(planned);
  if (before === after) return '';
  return createTwoFilesPatch(
    `live/${name}`,
    `planned/${name}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
}
