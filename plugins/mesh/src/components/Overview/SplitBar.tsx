import { Box, Typography } from '@material-ui/core';
import { Destination } from '@meshtraffic/backstage-plugin-mesh-common';

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];

const label = (d: Destination) =>
  d.cluster ? `${d.version} (${d.cluster})` : d.version;

/** The default route's split as one horizontal bar. */
export const SplitBar = ({ split }: { split: Destination[] }) => (
  <Box>
    <Box
      display="flex"
      height={24}
      borderRadius={4}
      overflow="hidden"
      role="img"
      aria-label={`Current split: ${split
        .map(d => `${label(d)} ${d.weight}%`)
        .join(', ')}`}
    >
      {split
        .filter(d => d.weight > 0)
        .map((d, i) => (
          <Box
            key={label(d)}
            width={`${d.weight}%`}
            bgcolor={COLORS[i % COLORS.length]}
          />
        ))}
    </Box>
    <Typography variant="body2">
      {split.map(d => `${label(d)} ${d.weight}%`).join(' · ')}
    </Typography>
  </Box>
);
