import { Link, Table, TableColumn } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { Chip } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  ControlPlaneStatus,
  MeshClusterStatus,
  MeshStatus,
  NamespaceProxies,
  ProxyResources,
  RoutedService,
} from '@meshtraffic/backstage-plugin-mesh-common';

const dense = { paging: false, search: false, padding: 'dense' } as const;

const clusterColumns: TableColumn<MeshClusterStatus>[] = [
  { title: 'Cluster', field: 'name' },
  { title: 'Role', field: 'role' },
  { title: 'Network', render: c => c.network ?? '—' },
  { title: 'Region', render: c => c.region ?? '—' },
  { title: 'Kubernetes', render: c => c.kubernetesVersion ?? '—' },
  {
    title: 'Reachable',
    render: c =>
      c.reachable ? (
        <Chip size="small" color="primary" label="reachable" />
      ) : (
        <Chip size="small" label={c.error ?? 'unreachable'} />
      ),
  },
];

const controlPlaneColumns: TableColumn<ControlPlaneStatus>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Deployment', field: 'name' },
  { title: 'Revision', field: 'revision' },
  { title: 'Istio version', render: c => c.version ?? 'unknown' },
  { title: 'Ready', render: c => `${c.readyReplicas} / ${c.replicas}` },
];

const namespaceColumns: TableColumn<NamespaceProxies>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  { title: 'Injection', render: n => n.injection ?? 'not labelled' },
  {
    title: 'Pods with a sidecar',
    render: n => `${n.injectedPods} / ${n.pods}`,
  },
  {
    title: 'Proxies not ready',
    render: n =>
      n.proxiesNotReady ? (
        <Chip size="small" color="secondary" label={n.proxiesNotReady} />
      ) : (
        0
      ),
  },
];

const MIB = 1024 * 1024;

/** Per cluster: what its proxies use (Prometheus), and how many are not ready (the clusters). */
interface ProxyRow extends ProxyResources {
  notReady: number;
}

const resourceColumns: TableColumn<ProxyRow>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Proxies reporting', field: 'proxies' },
  {
    title: 'CPU (millicores)',
    render: p => (p.cpuCores * 1000).toFixed(1),
  },
  { title: 'Memory (MiB)', render: p => (p.memoryBytes / MIB).toFixed(0) },
  {
    title: 'Memory per proxy (MiB)',
    render: p =>
      p.proxies ? (p.memoryBytes / MIB / p.proxies).toFixed(0) : '—',
  },
  { title: 'Not ready', field: 'notReady' },
];

const proxyRows = (status: MeshStatus): ProxyRow[] =>
  (status.proxyResources ?? []).map(p => ({
    ...p,
    notReady: status.namespaces
      .filter(n => n.cluster === p.cluster)
      .reduce((sum, n) => sum + (n.proxiesNotReady ?? 0), 0),
  }));

const entityLink = (ref: string) => {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/mesh`;
};

const serviceColumns: TableColumn<RoutedService>[] = [
  {
    title: 'Service',
    render: s => <Link to={entityLink(s.entityRef)}>{s.entityRef}</Link>,
  },
  { title: 'Host', field: 'host' },
  { title: 'Routing', field: 'summary' },
  {
    title: 'Config clusters',
    render: s =>
      s.clusters.map(c => (
        <Chip
          key={c.cluster}
          size="small"
          color={c.status === 'ours' ? 'primary' : 'secondary'}
          label={`${c.cluster}: ${c.status}`}
        />
      )),
  },
  {
    title: 'Rollout',
    render: s =>
      s.rollout
        ? `#${s.rollout.id}: wave ${s.rollout.wavesDone} of ${s.rollout.waves} done, ${s.rollout.status}`
        : '—',
  },
  {
    title: 'Last change',
    render: s =>
      s.lastChange
        ? `${new Date(s.lastChange.at).toLocaleString()} by ${
            s.lastChange.onBehalfOf ?? s.lastChange.actor
          }${
            s.lastChange.state === 'applied' ? '' : ` (${s.lastChange.state})`
          }`
        : '—',
  },
];

/** The views of a mesh: clusters, control planes, what the proxies use, proxies per namespace, routed services. */
export const MeshStatusTables = ({ status }: { status: MeshStatus }) => (
  <>
    {status.warnings?.map(w => (
      <Alert key={w} severity="warning">
        {w}
      </Alert>
    ))}
    <Table<MeshClusterStatus>
      title={`Clusters of ${status.id} (${
        status.kind
      }; routing on ${status.configClusters.join(', ')})`}
      options={dense}
      columns={clusterColumns}
      data={status.clusters}
    />
    <Table<ControlPlaneStatus>
      title="Control planes"
      options={dense}
      columns={controlPlaneColumns}
      data={status.controlPlanes}
    />
    {status.proxyResourcesError && (
      <Alert severity="warning">
        What the proxies use cannot be read from the mesh's Prometheus:{' '}
        {status.proxyResourcesError}
      </Alert>
    )}
    {status.proxyResources && (
      <Table<ProxyRow>
        title="Proxy resources (istio-proxy containers, from Prometheus)"
        options={dense}
        columns={resourceColumns}
        data={proxyRows(status)}
      />
    )}
    <Table<NamespaceProxies>
      title="Proxies"
      options={dense}
      columns={namespaceColumns}
      data={status.namespaces}
    />
    <Table<RoutedService>
      title="Services routed from the portal"
      options={dense}
      columns={serviceColumns}
      data={status.services}
    />
  </>
);
