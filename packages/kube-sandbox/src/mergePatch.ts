import { applyPatch, JsonPatchError, Operation } from 'fast-json-patch';
import { badRequest } from './status';

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return structuredClone(patch);
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? (structuredClone(target as object) as Record<string, unknown>)
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * RFC 6902 JSON patch, as `kubectl patch --type=json` sends it. A failed `test` or a path that
 * does not exist is refused, as the API server refuses it, and nothing is changed.
 */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw badRequest('a JSON patch must be a list of operations');
  try {
    return applyPatch(structuredClone(target), operations as Operation[], true)
      .newDocument;
  } catch (e) {
    const message =
      e instanceof JsonPatchError ? e.message.split('\n')[0] : String(e);
    throw badRequest(`the JSON patch could not be applied: ${message}`);
  }
}
