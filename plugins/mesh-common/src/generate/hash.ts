/**
 * Orders strings by UTF-16 code units: the same in every browser and locale, unlike localeCompare.
 *
 * @public
 */
export function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * JSON with object keys sorted at every level, so that equal values give equal strings whatever
 * order their keys were written in. `undefined` members are dropped, as JSON.stringify does.
 *
 * @public
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object')
    return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++)
      out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort's default order is by UTF-16 code units, as compareCodeUnits.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(
      member,
    )}`;
  }
  return `${out}}`;
}

/**
 * A 64-bit fingerprint (two independent 32-bit FNV-1a lanes), hex. Not for security: it tells a
 * live object's spec apart from the one we generated, and must run the same in browser and Node
 * without an async crypto API.
 *
 * @public
 */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (
    (a >>> 0).toString(16).padStart(8, '0') +
    (b >>> 0).toString(16).padStart(8, '0')
  );
}

/**
 * The hash of an intent that generated objects carry, independent of key order.
 *
 * @public
 */
export function intentHash(intent: unknown): string {
  return fingerprint(canonicalJson(intent));
}
