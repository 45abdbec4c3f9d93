import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  Grid,
  Radio,
  RadioGroup,
  Slider,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  callerTargets,
  Destination,
  EntityMeshState,
  IntentIssue,
  runningVersions,
  startingIntent,
  TrafficIntent,
  withCallerTargets,
  withSplit,
} from '@meshtraffic/backstage-plugin-mesh-common';
import {
  ComponentProps,
  Dispatch,
  SetStateAction,
  useMemo,
  useState,
} from 'react';
import { CallerRouting } from './CallerRouting';
import { useUnsupported } from '../routingApi';
import {
  modeOf,
  rowLabel,
  rowsFor,
  SplitMode,
  SplitRow,
  splitOf,
  weightsFor,
  workloadsOf,
} from './splitRows';
import { rebalance, splitEvenly } from './rebalance';
import { DisabledReason } from '../fields/DisabledReason';

/** The versions the service runs, each once, sorted. */
export function versionsOf(state: EntityMeshState): string[] {
  return runningVersions(state.clusters.flatMap(c => c.workloads));
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

/** The split's rows and weights in a mode, and its locks; switching mode carries the weights over. */
function useSplitRows(state: EntityMeshState) {
  const workloads = useMemo(() => workloadsOf(state), [state]);
  const start = useMemo(
    () => startingIntent(state, versionsOf(state)).split,
    [state],
  );
  const [mode, setModeState] = useState<SplitMode>(() => modeOf(start));
  const rows = useMemo(() => rowsFor(mode, workloads), [mode, workloads]);
  const [weights, setWeights] = useState(() => weightsFor(rows, start));
  const [locked, setLocked] = useState<boolean[]>(() => rows.map(() => false));
  const setMode = (next: SplitMode) => {
    const nextRows = rowsFor(next, workloads);
    setWeights(weightsFor(nextRows, splitOf(rows, weights)));
    setLocked(nextRows.map(() => false));
    setModeState(next);
  };
  return {
    workloads,
    mode,
    setMode,
    rows,
    weights,
    setWeights,
    locked,
    setLocked,
  };
}

const ModeChoice = (props: {
  mode: SplitMode;
  disabled: boolean;
  onChange(mode: SplitMode): void;
}) => {
  const byCluster = useUnsupported('cluster');
  return (
    <>
      <RadioGroup
        row
        aria-label="Split by"
        value={props.mode}
        onChange={e => props.onChange(e.target.value as SplitMode)}
      >
        <FormControlLabel
          value="version"
          control={<Radio disabled={props.disabled} />}
          label="By version"
        />
        <FormControlLabel
          value="cluster"
          control={<Radio disabled={props.disabled || Boolean(byCluster)} />}
          label="By version and cluster"
        />
      </RadioGroup>
      {byCluster && (
        <Typography variant="caption" color="textSecondary" paragraph>
          {byCluster}
        </Typography>
      )}
    </>
  );
};

/** Where each cluster's callers go, or why this mesh cannot say so. */
const CallerSection = (props: ComponentProps<typeof CallerRouting>) => {
  const unsupported = useUnsupported('sourceCluster');
  if (!unsupported) return <CallerRouting {...props} />;
  return (
    <InfoCard title="Routing by the caller's cluster">
      <Typography color="textSecondary">{unsupported}</Typography>
    </InfoCard>
  );
};

/** The rows' weights; issues name the split's entries, which leave out rows at 0: map them back. */
const WeightRows = (props: {
  rows: SplitRow[];
  weights: number[];
  locked: boolean[];
  split: Destination[];
  issues: IntentIssue[];
  disabled: boolean;
  setWeights: Dispatch<SetStateAction<number[]>>;
  setLocked: Dispatch<SetStateAction<boolean[]>>;
}) => {
  const { rows, weights, locked, split, issues } = props;
  const issueFor = (row: SplitRow) =>
    issues.find(x => {
      if (!x.path.startsWith('split[')) return false;
      const d = split[Number(x.path.slice(6, x.path.indexOf(']')))];
      return d && rowLabel(d) === rowLabel(row);
    });
  const splitIssue = issues.find(x => x.path === 'split');
  return (
    <>
      {rows.map((row, i) => (
        <WeightRow
          key={rowLabel(row)}
          version={rowLabel(row)}
          weight={weights[i]}
          locked={locked[i]}
          disabled={props.disabled}
          issue={issueFor(row)}
          onWeight={value =>
            props.setWeights(w => rebalance(w, i, value, locked))
          }
          onLock={on =>
            props.setLocked(l => l.map((x, k) => (k === i ? on : x)))
          }
        />
      ))}
      {splitIssue && (
        <Typography color="error">{splitIssue.message}</Typography>
      )}
    </>
  );
};

/**
 * One slider and number field per version (or per version and cluster), the sum held at 100
 * while the user moves them; and where each cluster's callers go.
 */
export const TrafficSplitTab = ({
  state,
  disabledReason,
  issues = [],
  onReview,
}: TrafficSplitTabProps) => {
  const rows = useSplitRows(state);
  const [targets, setTargets] = useState(() =>
    callerTargets(startingIntent(state, versionsOf(state))),
  );
  const disabled = Boolean(disabledReason);
  const split = splitOf(rows.rows, rows.weights);
  const review = () =>
    onReview(
      withCallerTargets(
        withSplit(startingIntent(state, versionsOf(state)), split),
        targets,
        rows.workloads,
      ),
    );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Traffic split"
          subheader="Weights of the default route; they always sum to 100."
        >
          <DisabledReason reason={disabledReason} />
          <ModeChoice
            mode={rows.mode}
            disabled={disabled}
            onChange={rows.setMode}
          />
          <WeightRows
            {...rows}
            split={split}
            issues={issues}
            disabled={disabled}
          />
          <Box display="flex" mt={2} style={{ gap: 8 }}>
            <Button
              variant="outlined"
              disabled={disabled}
              onClick={() => rows.setWeights(splitEvenly(rows.rows.length))}
            >
              Split evenly
            </Button>
            <Button
              variant="contained"
              color="primary"
              disabled={disabled}
              onClick={review}
            >
              Review
            </Button>
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <CallerSection
          clusters={state.clusters.map(c => c.cluster)}
          targets={targets}
          disabled={disabled}
          issues={issues}
          onChange={setTargets}
        />
      </Grid>
    </Grid>
  );
};
