import { compareCodeUnits, fingerprint } from './hash';
import { TrafficIntent } from '../intent/schema';
import { CLUSTER_LABEL, VERSION_LABEL } from './metadata';

/** @public */
export interface SubsetRef {
  version: string;
  cluster?: string;
}

/**
 * Subset and Service names are DNS labels: at most 63 characters.
 *
 * @public
 */
export const MAX_DNS_LABEL = 63;

/**
 * Lower case, anything but letters, digits and `-` becomes `-`, no `-` at either end.
 *
 * @public
 */
export function dnsSafe(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Deterministic subset names: `v1`, and `v2-west` for a version narrowed to a cluster. A name
 * longer than a DNS label allows keeps its start and ends in a hash of the whole, so it stays
 * valid and distinct whatever the version and cluster names are.
 *
 * @public
 */
export function subsetName(ref: SubsetRef): string {
  const name = ref.cluster
    ? `${dnsSafe(ref.version)}-${dnsSafe(ref.cluster)}`
    : dnsSafe(ref.version);
  return boundedName(
    name,
    `${ref.version}\u0000${ref.cluster ?? ''}`,
    name.length <= MAX_DNS_LABEL && name !== '',
  );
}

/**
 * `name` when it is `fits`; otherwise its start, cut to a DNS label's 63 characters, ending in a
 * hash of `whole` (what the name stands for), so names stay valid and distinct.
 *
 * @public
 */
export function boundedName(name: string, whole: string, fits: boolean) {
  if (fits) return name;
  const hash = fingerprint(whole).slice(0, 8);
  const head = name
    .slice(0, MAX_DNS_LABEL - hash.length - 1)
    .replace(/-+$/, '');
  return head ? `${head}-${hash}` : `s-${hash}`;
}

/** @public */
export function subsetLabels(
  ref: SubsetRef,
  versionLabel = VERSION_LABEL,
): Record<string, string> {
  return ref.cluster
    ? { [CLUSTER_LABEL]: ref.cluster, [versionLabel]: ref.version }
    : { [versionLabel]: ref.version };
}

/**
 * Every destination the intent names, each once, sorted by subset name.
 *
 * @public
 */
export function referencedSubsets(intent: TrafficIntent): SubsetRef[] {
  const refs = new Map<string, SubsetRef>();
  const add = (d: SubsetRef) => {
    const ref = d.cluster
      ? { version: d.version, cluster: d.cluster }
      : { version: d.version };
    refs.set(`${ref.version}\u0000${ref.cluster ?? ''}`, ref);
  };
  intent.split.forEach(add);
  if (intent.mirror) add(intent.mirror);
  for (const route of intent.routes ?? []) {
    route.split.forEach(add);
    if (route.mirror) add(route.mirror);
  }
  return [...refs.values()].sort((a, b) =>
    compareCodeUnits(subsetName(a), subsetName(b)),
  );
}

/**
 * Pairs of distinct destinations whose subset names would collide, e.g. `v1.0` and `v1-0`.
 *
 * @public
 */
export function subsetNameCollisions(
  intent: TrafficIntent,
): Array<[SubsetRef, SubsetRef]> {
  const byName = new Map<string, SubsetRef>();
  const collisions: Array<[SubsetRef, SubsetRef]> = [];
  for (const ref of referencedSubsets(intent)) {
    const name = subsetName(ref);
    const other = byName.get(name);
    if (other) collisions.push([other, ref]);
    else byName.set(name, ref);
  }
  return collisions;
}
