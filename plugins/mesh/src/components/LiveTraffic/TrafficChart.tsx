import { VersionSeries } from '@meshtraffic/backstage-plugin-mesh-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

const clock = (seconds: number) =>
  new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

/** One row per instant with each version's rate, as recharts draws lines from rows. */
export function chartRows(series: VersionSeries[]) {
  const rows = new Map<number, Record<string, number>>();
  for (const s of series)
    for (const [t, rate] of s.points)
      rows.set(t, { ...rows.get(t), t, [s.version]: Number(rate.toFixed(2)) });
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

/** Requests per second to each version over the window. */
export const TrafficChart = ({ series }: { series: VersionSeries[] }) => (
  <ResponsiveContainer width="100%" height={220}>
    <LineChart data={chartRows(series)} aria-label="Requests per version">
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis
        dataKey="t"
        type="number"
        domain={['dataMin', 'dataMax']}
        tickFormatter={clock}
      />
      <YAxis
        label={{ value: 'req/s', angle: -90, position: 'insideLeft' }}
        allowDecimals={false}
      />
      <Tooltip labelFormatter={t => clock(Number(t))} />
      <Legend />
      {series.map((s, i) => (
        <Line
          key={s.version}
          dataKey={s.version}
          stroke={COLORS[i % COLORS.length]}
          dot={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  </ResponsiveContainer>
);
