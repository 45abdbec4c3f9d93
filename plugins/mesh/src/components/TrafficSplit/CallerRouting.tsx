import { InfoCard } from '@backstage/core-components';
import { Box, Button, Grid, MenuItem, Typography } from '@material-ui/core';
import { IntentIssue } from '@meshtraffic/backstage-plugin-mesh-common';
import { IntentTextField } from '../fields/IntentTextField';

const DEFAULT = '';

/**
 * Where each cluster's callers are sent: the default split, or the default split narrowed to one
 * cluster (a `sourceCluster` route), as Istio's "keep traffic local" and partitioning do.
 */
export const CallerRouting = (props: {
  clusters: string[];
  targets: Record<string, string>;
  disabled: boolean;
  issues: IntentIssue[];
  onChange(targets: Record<string, string>): void;
}) => {
  const { clusters, targets, disabled, onChange } = props;
  const set = (source: string, target: string) => {
    const next = { ...targets };
    if (target === DEFAULT) delete next[source];
    else next[source] = target;
    onChange(next);
  };
  const [first, second] = clusters;
  const routeIssue = props.issues.find(i => /^routes\[\d+\]/.test(i.path));
  return (
    <InfoCard
      title="Routing by the caller's cluster"
      subheader="Send the calls made from one cluster to the versions running on another."
    >
      <Grid container spacing={2}>
        {clusters.map(source => (
          <Grid item xs={12} md={4} key={source}>
            <IntentTextField
              select
              fullWidth
              label={`Calls from ${source} go to`}
              value={targets[source] ?? DEFAULT}
              disabled={disabled}
              onChange={e => set(source, e.target.value)}
            >
              <MenuItem value={DEFAULT}>the default split</MenuItem>
              {clusters.map(target => (
                <MenuItem key={target} value={target}>
                  {target} only
                </MenuItem>
              ))}
            </IntentTextField>
          </Grid>
        ))}
      </Grid>
      {routeIssue && (
        <Typography color="error">
          {routeIssue.path}: {routeIssue.message}
        </Typography>
      )}
      {first && second && (
        <Box mt={1}>
          <Button
            variant="outlined"
            disabled={disabled}
            onClick={() => onChange({ [first]: second })}
          >
            Send {first}'s callers to {second}
          </Button>
        </Box>
      )}
    </InfoCard>
  );
};
