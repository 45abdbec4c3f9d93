import {
  Box,
  Checkbox,
  FormControlLabel,
  Grid,
  Typography,
} from '@material-ui/core';
import {
  ANALYSIS_DEFAULTS,
  CanaryAnalysis,
  IntentIssue,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField, numberOrUndefined } from '../fields/IntentTextField';

/** The analysis as typed: text until it is sent, so a half-typed number is not lost. */
export interface AnalysisDraft {
  auto: boolean;
  interval: string;
  successRateMin: string;
  percentile: string;
  maxMs: string;
  minRequests: string;
  failureLimit: string;
  inconclusiveLimit: string;
  errorLimit: string;
  progressDeadline: string;
}

export const DEFAULT_ANALYSIS: AnalysisDraft = {
  auto: false,
  interval: '1m',
  successRateMin: '99',
  percentile: '99',
  maxMs: '500',
  minRequests: '20',
  failureLimit: '2',
  // Empty: the backend's defaults (10 intervals, 4 intervals, 20 intervals), shown as placeholders.
  inconclusiveLimit: '',
  errorLimit: '',
  progressDeadline: '',
};

/** The analysis a draft stands for (NaN left for validation to name), or none when not automatic. */
export function analysisFromDraft(
  draft: AnalysisDraft,
): { analysis: CanaryAnalysis; auto: true } | undefined {
  if (!draft.auto) return undefined;
  const num = (text: string) => numberOrUndefined(text) ?? NaN;
  const latency =
    draft.maxMs.trim() === ''
      ? undefined
      : { percentile: num(draft.percentile), maxMs: num(draft.maxMs) };
  const successRateMin = numberOrUndefined(draft.successRateMin);
  return {
    auto: true,
    analysis: {
      interval: draft.interval.trim(),
      ...(successRateMin !== undefined ? { successRateMin } : {}),
      ...(latency ? { latency } : {}),
      minRequests: num(draft.minRequests),
      failureLimit: num(draft.failureLimit),
      ...optionalLimits(draft),
    },
  };
}

/** The limits a person left empty are left out, so the backend's defaults apply. */
function optionalLimits(
  draft: AnalysisDraft,
): Pick<
  CanaryAnalysis,
  'inconclusiveLimit' | 'errorLimit' | 'progressDeadline'
> {
  const num = (text: string) =>
    text.trim() === '' ? undefined : numberOrUndefined(text) ?? NaN;
  const inconclusiveLimit = num(draft.inconclusiveLimit);
  const errorLimit = num(draft.errorLimit);
  const progressDeadline = draft.progressDeadline.trim();
  return {
    ...(inconclusiveLimit !== undefined ? { inconclusiveLimit } : {}),
    ...(errorLimit !== undefined ? { errorLimit } : {}),
    ...(progressDeadline ? { progressDeadline } : {}),
  };
}

const FIELDS: Array<{
  key: Exclude<keyof AnalysisDraft, 'auto'>;
  label: string;
  path: string;
  help?: string;
}> = [
  {
    key: 'interval',
    label: 'Interval',
    path: 'canary.analysis.interval',
    help: 'each step runs this long before it is judged, e.g. 1m',
  },
  {
    key: 'successRateMin',
    label: 'Success rate at least (%)',
    path: 'canary.analysis.successRateMin',
  },
  {
    key: 'percentile',
    label: 'Latency percentile',
    path: 'canary.analysis.latency.percentile',
  },
  {
    key: 'maxMs',
    label: 'Latency at most (ms)',
    path: 'canary.analysis.latency.maxMs',
  },
  {
    key: 'minRequests',
    label: 'Requests needed per interval',
    path: 'canary.analysis.minRequests',
    help: 'fewer is inconclusive, never a pass',
  },
  {
    key: 'failureLimit',
    label: 'Failed intervals before abort',
    path: 'canary.analysis.failureLimit',
  },
  {
    key: 'inconclusiveLimit',
    label: 'Unjudged intervals in a row before abort',
    path: 'canary.analysis.inconclusiveLimit',
    help: `too few requests; default ${ANALYSIS_DEFAULTS.inconclusiveLimit}`,
  },
  {
    key: 'errorLimit',
    label: 'Intervals without metrics before abort',
    path: 'canary.analysis.errorLimit',
    help: `Prometheus unreadable; default ${ANALYSIS_DEFAULTS.errorLimit}`,
  },
  {
    key: 'progressDeadline',
    label: 'Progress deadline per step',
    path: 'canary.analysis.progressDeadline',
    help: `a step not passed by then aborts, e.g. 30m; default ${ANALYSIS_DEFAULTS.progressDeadlineIntervals} intervals`,
  },
];

/** Metric-gated steps: the checks every cluster must pass, interval after interval. */
export const AnalysisFields = (props: {
  draft: AnalysisDraft;
  disabled: boolean;
  issues: IntentIssue[];
  onChange(draft: AnalysisDraft): void;
}) => {
  const { draft, disabled, issues, onChange } = props;
  return (
    <Box mt={2}>
      <FormControlLabel
        control={
          <Checkbox
            checked={draft.auto}
            disabled={disabled}
            onChange={e => onChange({ ...draft, auto: e.target.checked })}
            color="primary"
          />
        }
        label="Advance automatically when every cluster's metrics pass"
      />
      {issueAt(issues, 'canary.auto') && (
        <Typography color="error" variant="body2">
          {issueAt(issues, 'canary.auto')}
        </Typography>
      )}
      {draft.auto && (
        <Grid container spacing={2}>
          {FIELDS.map(f => (
            <Grid item xs={6} md={4} key={f.key}>
              <IntentTextField
                label={f.label}
                value={draft[f.key]}
                fullWidth
                disabled={disabled}
                helperText={f.help}
                issue={
                  issueAt(issues, f.path) ??
                  (f.key === 'interval'
                    ? issueAt(issues, 'canary.analysis')
                    : undefined)
                }
                onChange={e => onChange({ ...draft, [f.key]: e.target.value })}
              />
            </Grid>
          ))}
        </Grid>
      )}
    </Box>
  );
};
