import { groupVersion, RESOURCE_TYPES, VERBS } from './resources';

const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0+kube-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function resourceList(group: string, version: string) {
  const resources = RESOURCE_TYPES.filter(
    r => r.group === group && r.versions.includes(version),
  );
  if (!resources.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: resources.map(r => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    })),
  };
}

function apiGroup(name: string) {
  const versions = [
    ...new Set(
      RESOURCE_TYPES.filter(r => r.group === name).flatMap(r => r.versions),
    ),
  ];
  if (!versions.length) return undefined;
  const entries = versions.map(v => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** The legacy (non-aggregated) discovery documents, which kubectl and client-node accept. */
export function discovery(path: string): unknown {
  const parts = path.split('/').filter(Boolean);
  if (path === '/version') return VERSION_INFO;
  if (parts[0] === 'api') {
    if (parts.length === 1)
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [],
      };
    return resourceList('', parts[1]);
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) {
      const groups = [
        ...new Set(RESOURCE_TYPES.map(r => r.group).filter(Boolean)),
      ];
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map(apiGroup),
      };
    }
    if (parts.length === 2) {
      const group = apiGroup(parts[1]);
      return group && { kind: 'APIGroup', apiVersion: 'v1', ...group };
    }
    return resourceList(parts[1], parts[2]);
  }
  return undefined;
}
