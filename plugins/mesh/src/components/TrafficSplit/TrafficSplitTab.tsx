import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  Grid,
  Slider,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  Destination,
  EntityMeshState,
  IntentIssue,
  runningVersions,
  startingIntent,
  TrafficIntent,
  withSplit,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useMemo, useState } from 'react';
import { rebalance, splitEvenly } from './rebalance';
import { DisabledReason } from '../fields/DisabledReason';

/** The versions the service runs, each once, sorted. */
export function versionsOf(state: EntityMeshState): string[] {
  return runningVersions(state.clusters.flatMap(c => c.workloads));
}

/** Weights per running version from the split editing starts from (live, else last applied, else all to the first version). */
function initialWeights(state: EntityMeshState, versions: string[]): number[] {
  const split = startingIntent(state, versions).split;
  return versions.map(v =>
    split.filter(d => d.version === v).reduce((a, d) => a + d.weight, 0),
  );
}

export interface TrafficSplitTabProps {
  state: EntityMeshState;
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

/** One version's weight: a slider, a number field and a lock that keeps it while others move. */
const WeightRow = (props: {
  version: string;
  weight: number;
  locked: boolean;
  disabled: boolean;
  issue?: IntentIssue;
  onWeight(weight: number): void;
  onLock(locked: boolean): void;
}) => {
  const { version } = props;
  const frozen = props.disabled || props.locked;
  return (
    <Grid container spacing={2} alignItems="center">
      <Grid item xs={2}>
        <Typography id={`weight-${version}-label`}>{version}</Typography>
      </Grid>
      <Grid item xs={6}>
        <Slider
          value={props.weight}
          min={0}
          max={100}
          step={1}
          disabled={frozen}
          onChange={(_, v) => props.onWeight(v as number)}
          aria-label={`Weight of ${version}`}
          valueLabelDisplay="auto"
        />
      </Grid>
      <Grid item xs={2}>
        <TextField
          type="number"
          value={props.weight}
          disabled={frozen}
          inputProps={{
            min: 0,
            max: 100,
            'aria-label': `Weight of ${version} (percent)`,
          }}
          onChange={e => props.onWeight(Number(e.target.value))}
          error={Boolean(props.issue)}
          helperText={props.issue?.message}
        />
      </Grid>
      <Grid item xs={2}>
        <FormControlLabel
          control={
            <Checkbox
              checked={props.locked}
              disabled={props.disabled}
              onChange={e => props.onLock(e.target.checked)}
              inputProps={{ 'aria-label': `Lock ${version}` }}
            />
          }
          label="Lock"
        />
      </Grid>
    </Grid>
  );
};

/** One slider and number field per version, the sum held at 100 while the user moves them. */
export const TrafficSplitTab = ({
  state,
  disabledReason,
  issues = [],
  onReview,
}: TrafficSplitTabProps) => {
  const versions = useMemo(() => versionsOf(state), [state]);
  const [weights, setWeights] = useState(() => initialWeights(state, versions));
  const [locked, setLocked] = useState<boolean[]>(() =>
    versions.map(() => false),
  );
  const disabled = Boolean(disabledReason);
  const split: Destination[] = versions
    .map((version, i) => ({ version, weight: weights[i] }))
    .filter(d => d.weight > 0);
  // Issues name the split's entries, which leave out versions at 0: map them back to the row.
  const issueFor = (version: string) =>
    issues.find(
      x =>
        x.path.startsWith('split[') &&
        split[Number(x.path.slice(6, x.path.indexOf(']')))]?.version ===
          version,
    );
  const splitIssue = issues.find(x => x.path === 'split');
  return (
    <InfoCard
      title="Traffic split"
      subheader="Weights of the default route, per version; they always sum to 100."
    >
      <DisabledReason reason={disabledReason} />
      {versions.map((version, i) => (
        <WeightRow
          key={version}
          version={version}
          weight={weights[i]}
          locked={locked[i]}
          disabled={disabled}
          issue={issueFor(version)}
          onWeight={value => setWeights(w => rebalance(w, i, value, locked))}
          onLock={on => setLocked(l => l.map((x, k) => (k === i ? on : x)))}
        />
      ))}
      {splitIssue && (
        <Typography color="error">{splitIssue.message}</Typography>
      )}
      <Box display="flex" mt={2} style={{ gap: 8 }}>
        <Button
          variant="outlined"
          disabled={disabled}
          onClick={() => setWeights(splitEvenly(versions.length))}
        >
          Split evenly
        </Button>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled}
          onClick={() =>
            onReview(withSplit(startingIntent(state, versions), split))
          }
        >
          Review
        </Button>
      </Box>
    </InfoCard>
  );
};
