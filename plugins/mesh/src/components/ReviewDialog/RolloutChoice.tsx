import {
  Box,
  Checkbox,
  FormControlLabel,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@material-ui/core';
import { RolloutRequest } from '@meshtraffic/backstage-plugin-mesh-common';

/** How a change reaches the config clusters: all at once, one at a time, or in waves of one's own. */
export interface RolloutDraft {
  mode: 'all' | 'each' | 'custom';
  /** Custom waves: clusters of a wave separated by commas, waves by semicolons. */
  waves: string;
  bakeSeconds: string;
  checks: boolean;
  successRateMin: string;
  minRequests: string;
}

export const defaultRolloutDraft = (clusters: string[]): RolloutDraft => ({
  mode: 'all',
  waves: clusters.join('; '),
  bakeSeconds: '60',
  checks: false,
  successRateMin: '99',
  minRequests: '10',
});

/** `east, edge; west` -> [["east", "edge"], ["west"]]. */
const parseWaves = (text: string) =>
  text
    .split(';')
    .map(w =>
      w
        .split(',')
        .map(c => c.trim())
        .filter(Boolean),
    )
    .filter(w => w.length);

/**
 * The rollout the draft asks for, or undefined for all at once; the backend checks the waves
 * against the mesh and names a bad one.
 */
export function rolloutOf(
  draft: RolloutDraft,
  clusters: string[],
): RolloutRequest | undefined {
  if (draft.mode === 'all') return undefined;
  const waves =
    draft.mode === 'each' ? clusters.map(c => [c]) : parseWaves(draft.waves);
  return {
    waves,
    bakeSeconds: Number(draft.bakeSeconds),
    ...(draft.checks
      ? {
          checks: {
            successRateMin: Number(draft.successRateMin),
            minRequests: Number(draft.minRequests),
          },
        }
      : {}),
  };
}

const Field = (props: {
  label: string;
  value: string;
  helperText?: string;
  onChange(value: string): void;
}) => (
  <TextField
    id={`mesh-rollout-${props.label.toLowerCase().replace(/[^a-z]+/g, '-')}`}
    label={props.label}
    value={props.value}
    helperText={props.helperText}
    margin="dense"
    onChange={e => props.onChange(e.target.value)}
  />
);

/** The Review dialog's choice of waves, bake time and checks between waves. */
export const RolloutChoice = (props: {
  clusters: string[];
  draft: RolloutDraft;
  onChange(draft: RolloutDraft): void;
}) => {
  const { draft, clusters } = props;
  const set = (patch: Partial<RolloutDraft>) =>
    props.onChange({ ...draft, ...patch });
  if (clusters.length < 2) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle1">Roll out</Typography>
      <RadioGroup
        row
        aria-label="Roll out"
        value={draft.mode}
        onChange={e => set({ mode: e.target.value as RolloutDraft['mode'] })}
      >
        <FormControlLabel
          value="all"
          control={<Radio />}
          label="All clusters at once"
        />
        <FormControlLabel
          value="each"
          control={<Radio />}
          label={`One cluster at a time (${clusters.join(', then ')})`}
        />
        <FormControlLabel value="custom" control={<Radio />} label="Waves" />
      </RadioGroup>
      {draft.mode !== 'all' && (
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
          {draft.mode === 'custom' && (
            <Field
              label="Waves"
              value={draft.waves}
              helperText="a wave's clusters by commas, waves by semicolons"
              onChange={waves => set({ waves })}
            />
          )}
          <Field
            label="Bake seconds"
            value={draft.bakeSeconds}
            helperText="between one wave and the next"
            onChange={bakeSeconds => set({ bakeSeconds })}
          />
          <FormControlLabel
            control={
              <Checkbox
                checked={draft.checks}
                onChange={e => set({ checks: e.target.checked })}
              />
            }
            label="Check between waves"
          />
          {draft.checks && (
            <>
              <Field
                label="Least success rate (%)"
                value={draft.successRateMin}
                onChange={successRateMin => set({ successRateMin })}
              />
              <Field
                label="Least requests"
                value={draft.minRequests}
                onChange={minRequests => set({ minRequests })}
              />
            </>
          )}
        </Box>
      )}
    </Box>
  );
};
