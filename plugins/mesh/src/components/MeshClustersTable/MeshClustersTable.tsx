import {
  StatusError,
  StatusOK,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { ClusterSummary } from '@meshtraffic/backstage-plugin-mesh-common';

export interface MeshClusterRow extends ClusterSummary {
  receivesConfig: boolean;
}

const columns: TableColumn<MeshClusterRow>[] = [
  { title: 'Cluster', field: 'name', render: row => row.title ?? row.name },
  { title: 'Role', field: 'role' },
  { title: 'Network', field: 'network' },
  { title: 'Region', field: 'region' },
  {
    title: 'Receives routing config',
    field: 'receivesConfig',
    render: row =>
      row.receivesConfig ? 'yes' : 'no (configured by a primary)',
  },
  {
    title: 'Reachable',
    field: 'reachable',
    render: row =>
      row.reachable ? (
        <StatusOK>reachable</StatusOK>
      ) : (
        <StatusError>{row.error ?? 'unreachable'}</StatusError>
      ),
  },
];

/** The clusters of one mesh: role, placement and reachability. */
export const MeshClustersTable = (props: {
  rows: MeshClusterRow[];
  title: string;
}) => (
  <Table<MeshClusterRow>
    title={props.title}
    options={{ paging: false, search: false, padding: 'dense' }}
    columns={columns}
    data={props.rows}
  />
);
