import { Table, TableColumn } from '@backstage/core-components';
import { Chip } from '@material-ui/core';
import { ClusterState } from '@meshtraffic/backstage-plugin-mesh-common';

const columns: TableColumn<ClusterState>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Role', field: 'role' },
  {
    title: 'Versions (ready / replicas)',
    render: row =>
      row.reachable
        ? row.workloads.map(w => (
            <Chip
              key={w.version}
              size="small"
              label={`${w.version} ${w.readyReplicas}/${w.replicas}`}
            />
          ))
        : '—',
  },
  {
    title: 'Routing',
    render: row => {
      if (!row.reachable) return row.error ?? 'unreachable';
      if (!row.isConfigCluster) return 'configured by a primary';
      if (!row.routing.length) return 'none';
      return row.routing.map(o => (
        <Chip
          key={`${o.kind}/${o.name}`}
          size="small"
          color={o.status === 'ours' ? 'primary' : 'secondary'}
          label={`${o.kind} ${o.name}: ${o.status}${
            o.status === 'foreign' ? ` (${o.owner})` : ''
          }`}
          title={o.reason}
        />
      ));
    },
  },
];

/** Per cluster: the versions running with ready replicas, and the live routing's status. */
export const WorkloadsTable = ({ clusters }: { clusters: ClusterState[] }) => (
  <Table<ClusterState>
    title="Workloads and routing"
    options={{ paging: false, search: false, padding: 'dense' }}
    columns={columns}
    data={clusters}
  />
);
