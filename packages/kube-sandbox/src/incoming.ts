import { ResourcePath } from './paths';
import { groupVersion } from './resources';
import { badRequest, conflict, invalid } from './status';
import { CrdValidator } from './validation';

export type KubeObject = Record<string, any>;

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The metadata the server sets itself; a client's values for them are dropped (or, for resourceVersion, are a precondition). */
export const SERVER_SET = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
];

/** The object's reference as Status errors name it. */
export function refOf(target: ResourcePath, name?: string) {
  return {
    kind: target.type.kind,
    group: target.type.group,
    resource: target.type.resource,
    name: name ?? target.name ?? '',
  };
}

/** The 409 an API server answers when a write's resourceVersion is not the object's. */
export function modifiedConflict(
  target: ResourcePath,
  detail = 'the object has been modified; please apply your changes to the latest version and try again',
) {
  const resource = `${target.type.resource}${
    target.type.group ? `.${target.type.group}` : ''
  }`;
  return conflict(
    refOf(target),
    `Operation cannot be fulfilled on ${resource} "${target.name}": ${detail}`,
  );
}

/** An incoming object as the request's URL places it: its apiVersion, kind, namespace and name. */
export function normalizeIncoming(
  target: ResourcePath,
  obj: KubeObject,
  name?: string,
): KubeObject {
  const out = structuredClone(obj);
  out.apiVersion = groupVersion(target.type.group, target.version);
  out.kind = target.type.kind;
  out.metadata = { ...(out.metadata ?? {}) };
  if (name && !out.metadata.name) out.metadata.name = name;
  if (target.type.namespaced) {
    if (out.metadata.namespace && out.metadata.namespace !== target.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    out.metadata.namespace = target.namespace;
  }
  return out;
}

/** Checks what the API server checks on every write: identity, names, the CRD's schema (after setting its defaults on `obj`). */
export function validateWrite(
  validator: CrdValidator,
  target: ResourcePath,
  obj: KubeObject,
) {
  const name = obj.metadata?.name;
  const causes = [];
  if (!name)
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
  const expectedApiVersion = groupVersion(target.type.group, target.version);
  if (
    obj.apiVersion &&
    target.type.versions.every(
      v => groupVersion(target.type.group, v) !== obj.apiVersion,
    )
  ) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  if (obj.kind && obj.kind !== target.type.kind) {
    throw badRequest(
      `the kind in the data (${obj.kind}) does not match the expected kind (${target.type.kind})`,
    );
  }
  if (target.type.crd) {
    validator.applyDefaults(target.type.crd, target.version, obj);
    causes.push(...validator.validate(target.type.crd, target.version, obj));
  }
  if (causes.length) throw invalid(refOf(target, name), causes);
}

/** A request body that must be a JSON object. */
export function parseJson(body: string): KubeObject {
  try {
    const obj = JSON.parse(body);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      throw new Error('not an object');
    return obj;
  } catch (e) {
    throw badRequest(
      `the request body is not a JSON object: ${(e as Error).message}`,
    );
  }
}

/** Any JSON body (a JSON patch is a list), refused as the API server refuses bad JSON. */
export function parseJsonValue(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`the request body is not JSON: ${(e as Error).message}`);
  }
}
