import { findResource, ResourceType } from './resources';

/** A request path resolved to a resource type, namespace and name. */
export interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
}

export type ParsedPath =
  | { kind: 'discovery'; path: string }
  | { kind: 'resource'; target: ResourcePath }
  | { kind: 'unknown' };

/**
 * Resolves `/api/v1/...` and `/apis/{group}/{version}/...` as the API server does, including
 * the namespace resource itself (`/api/v1/namespaces/{name}`).
 */
export function parsePath(pathname: string): ParsedPath {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length <= 2) return { kind: 'discovery', path: pathname };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return { kind: 'discovery', path: pathname };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return parts[0] === 'version' && parts.length === 1
      ? { kind: 'discovery', path: pathname }
      : { kind: 'unknown' };
  }

  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    resource = rest[2];
    name = rest[3];
    if (rest.length > 4) return { kind: 'unknown' };
  } else {
    resource = rest[0];
    name = rest[1];
    if (rest.length > 2) return { kind: 'unknown' };
  }
  const type = findResource(group, version, resource);
  if (!type) return { kind: 'unknown' };
  if (!type.namespaced && namespace !== undefined) return { kind: 'unknown' };
  return { kind: 'resource', target: { type, version, namespace, name } };
}
