import { groupVersion, RESOURCE_TYPES } from './resources';

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(
  name => ({
    name,
    in: 'query',
    schema: { type: name === 'force' ? 'boolean' : 'string' },
  }),
);

function gvPath(group: string, version: string) {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * The OpenAPI v3 discovery kubectl reads before a write: per group/version, the PATCH operations
 * with their GVK and the query parameters they accept. Finding `fieldValidation` there, kubectl
 * leaves validation to this server (as it does with a real one) instead of validating on the
 * client against downloaded schemas.
 */
export function openApiV3(pathname: string): unknown {
  const versions = [
    ...new Set(
      RESOURCE_TYPES.flatMap(r => r.versions.map(v => `${r.group}|${v}`)),
    ),
  ].map(s => s.split('|'));
  if (pathname === '/openapi/v3' || pathname === '/openapi/v3/') {
    return {
      paths: Object.fromEntries(
        versions.map(([g, v]) => [
          gvPath(g, v),
          {
            serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=kube-sandbox`,
          },
        ]),
      ),
    };
  }
  const match = versions.find(
    ([g, v]) => pathname === `/openapi/v3/${gvPath(g, v)}`,
  );
  if (!match) return undefined;
  const [group, version] = match;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of RESOURCE_TYPES.filter(
    t => t.group === group && t.versions.includes(version),
  )) {
    const gvk = { group, version, kind: r.kind };
    const base = `/${gvPath(group, version)}${
      r.namespaced ? '/namespaces/{namespace}' : ''
    }/${r.resource}`;
    const op = (verb: string) => ({
      'x-kubernetes-group-version-kind': gvk,
      'x-kubernetes-action': verb,
      parameters: QUERY_PARAMS,
      responses: {},
    });
    paths[base] = { post: op('post'), get: op('list') };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put'),
      patch: op('patch'),
      delete: op('delete'),
    };
    schemas[`sandbox.${group || 'core'}.${version}.${r.kind}`] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group, version, kind: r.kind }],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
      },
      description: `${r.kind} (${groupVersion(
        group,
        version,
      )}), validated by the server`,
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-sandbox)', version: 'v1.31.0' },
    paths,
    components: { schemas },
  };
}
