import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { MenuItem, TextField, Typography } from '@material-ui/core';
import {
  HostTraffic,
  VersionTraffic,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { meshApiRef } from '../../api/MeshApi';
import { TrafficChart } from './TrafficChart';

const WINDOWS = ['1m', '5m', '15m', '1h'];
const REFRESH_MS = 15_000;

export const percent = (n?: number) =>
  n === undefined ? '—' : `${n.toFixed(1)}%`;
export const ms = (n?: number) =>
  n === undefined ? '—' : `${Math.round(n)} ms`;

const columns: TableColumn<VersionTraffic>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Version', field: 'version' },
  { title: 'Requests/s', render: r => r.requestRate.toFixed(1) },
  {
    title: 'Success',
    render: r =>
      percent(r.successRate === undefined ? undefined : 100 * r.successRate),
  },
  { title: 'p50', render: r => ms(r.p50Ms) },
  { title: 'p99', render: r => ms(r.p99Ms) },
];

/** Per calling cluster: each version's observed share beside the configured weight. */
const ObservedShares = ({ traffic }: { traffic: HostTraffic }) => {
  const configured: Record<string, number> = {};
  for (const d of traffic.configured ?? [])
    configured[d.version] = (configured[d.version] ?? 0) + d.weight;
  const callers = [...new Set(traffic.callers.map(c => c.cluster))];
  if (!callers.length) return null;
  return (
    <>
      {callers.map(cluster => (
        <Typography key={cluster} variant="body2">
          Calls from <b>{cluster}</b>:{' '}
          {traffic.callers
            .filter(c => c.cluster === cluster)
            .map(
              c =>
                `${c.version} ${percent(c.percent)}${
                  traffic.configured
                    ? ` (configured ${configured[c.version] ?? 0}%)`
                    : ''
                }`,
            )
            .join(' · ')}
        </Typography>
      ))}
    </>
  );
};

/** Why there are no figures: no Prometheus for the mesh (how to get one), or Prometheus failing. */
export const Unavailable = ({ error }: { error: Error }) =>
  error instanceof ResponseError && error.statusCode === 404 ? (
    <Typography variant="body2">
      The mesh names no Prometheus, so there is no live traffic to show. Set{' '}
      <code>mesh.meshes[].prometheus.url</code> in app-config (see the README);
      in development, <code>npm start</code> runs one when Debian's{' '}
      <code>prometheus</code> package is installed (
      <code>sudo apt-get install prometheus</code>).
    </Typography>
  ) : (
    <WarningPanel
      severity="warning"
      title="Live traffic is unavailable"
      message={`${error.message}. The rest of the page is not affected; in development, npm start runs Prometheus only when Debian's prometheus package is installed.`}
    />
  );

export const WindowSelect = (props: {
  value: string;
  onChange(v: string): void;
  windows?: string[];
}) => (
  <TextField
    select
    size="small"
    label="Window"
    value={props.value}
    onChange={e => props.onChange(e.target.value)}
  >
    {(props.windows ?? WINDOWS).map(w => (
      <MenuItem key={w} value={w}>
        {w}
      </MenuItem>
    ))}
  </TextField>
);

/**
 * What traffic does, from the mesh's Prometheus: requests per version over time, and per cluster
 * and version the rate, success and latency; refreshed every 15 s. Its failure never hides the
 * rest of the page.
 */
export const LiveTrafficCard = ({ entity }: { entity: CompoundEntityRef }) => {
  const api = useApi(meshApiRef);
  const [range, setRange] = useState('1m');
  const { value, error, loading, retry } = useAsyncRetry(
    () => api.getMetrics(entity, range),
    [api, entity, range],
  );
  useInterval(retry, REFRESH_MS);
  return (
    <section aria-label="Live traffic">
      <InfoCard
        title="Live traffic"
        subheader="Istio's request metrics from the mesh's Prometheus, per version and cluster"
        action={<WindowSelect value={range} onChange={setRange} />}
      >
        {loading && !value && !error && <Progress />}
        {error && <Unavailable error={error} />}
        {value && !error && (
          <>
            <TrafficChart series={value.series} />
            <ObservedShares traffic={value} />
            <Table<VersionTraffic>
              title={`By cluster and version, last ${value.window}`}
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={columns}
              data={value.versions}
            />
          </>
        )}
      </InfoCard>
    </section>
  );
};
