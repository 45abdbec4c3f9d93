import { compareCodeUnits } from './hash';
import { TrafficIntent } from '../intent/schema';
import { CLUSTER_LABEL, VERSION_LABEL } from './metadata';

export interface SubsetRef {
  version: string;
  cluster?: string;
}

/** A DNS-1123 label made from a label value: lower case, `.` and `_` become `-`. */
function dnsSafe(value: string): string {
  return value.toLowerCase().replace(/[._]/g, '-');
}

/** Deterministic subset names: `v1`, and `v2-west` for a version narrowed to a cluster. */
export function subsetName(ref: SubsetRef): string {
  return ref.cluster ? `${dnsSafe(ref.version)}-${dnsSafe(ref.cluster)}` : dnsSafe(ref.version);
}

export function subsetLabels(ref: SubsetRef): Record<string, string> {
  return ref.cluster
    ? { [CLUSTER_LABEL]: ref.cluster, [VERSION_LABEL]: ref.version }
    : { [VERSION_LABEL]: ref.version };
}

/** Every destination the intent names, each once, sorted by subset name. */
export function referencedSubsets(intent: TrafficIntent): SubsetRef[] {
  const refs = new Map<string, SubsetRef>();
  const add = (d: SubsetRef) => {
    const ref = d.cluster ? { version: d.version, cluster: d.cluster } : { version: d.version };
    refs.set(`${ref.version}\u0000${ref.cluster ?? ''}`, ref);
  };
  intent.split.forEach(add);
  if (intent.mirror) add(intent.mirror);
  for (const route of intent.routes ?? []) {
    route.split.forEach(add);
    if (route.mirror) add(route.mirror);
  }
  return [...refs.values()].sort((a, b) => compareCodeUnits(subsetName(a), subsetName(b)));
}

/** Pairs of distinct destinations whose subset names would collide, e.g. `v1.0` and `v1-0`. */
export function subsetNameCollisions(intent: TrafficIntent): Array<[SubsetRef, SubsetRef]> {
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
