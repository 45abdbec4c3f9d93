import { ResourceType } from './resources';

/** Whether the client (kubectl get) asked for a server-side printed Table. */
export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept));
}

function age(timestamp: string | undefined): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(
    0,
    Math.floor((Date.now() - Date.parse(timestamp)) / 1000),
  );
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

type Column = { name: string; type: string; cell: (o: any) => unknown };

const NAME: Column = {
  name: 'Name',
  type: 'string',
  cell: o => o.metadata.name,
};
const AGE: Column = {
  name: 'Age',
  type: 'string',
  cell: o => age(o.metadata.creationTimestamp),
};

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: o => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
    },
    {
      name: 'Up-to-date',
      type: 'integer',
      cell: o => o.status?.updatedReplicas ?? 0,
    },
    {
      name: 'Available',
      type: 'integer',
      cell: o => o.status?.availableReplicas ?? 0,
    },
    AGE,
  ],
  Pod: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: o => (o.status?.phase === 'Running' ? '2/2' : '0/2'),
    },
    { name: 'Status', type: 'string', cell: o => o.status?.phase ?? 'Pending' },
    AGE,
  ],
  VirtualService: [
    NAME,
    {
      name: 'Hosts',
      type: 'string',
      cell: o => JSON.stringify(o.spec?.hosts ?? []),
    },
    AGE,
  ],
  DestinationRule: [
    NAME,
    { name: 'Host', type: 'string', cell: o => o.spec?.host ?? '' },
    AGE,
  ],
};

/** A meta.k8s.io/v1 Table, as the API server prints lists for `kubectl get`. */
export function asTable(type: ResourceType, items: any[]) {
  const columns = COLUMNS[type.kind] ?? [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      format: c === NAME ? 'name' : '',
      description: c.name,
      priority: i === 0 ? 0 : 0,
    })),
    rows: items.map(o => ({
      cells: columns.map(c => c.cell(o)),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: o.metadata,
      },
    })),
  };
}
