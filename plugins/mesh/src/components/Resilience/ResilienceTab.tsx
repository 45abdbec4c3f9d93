import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Chip,
  Grid,
  IconButton,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  IntentIssue,
  RETRY_ON_VALUES,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { Dispatch, SetStateAction, useState } from 'react';
import { issueAt } from '../fields/intentIssues';
import { fieldId, IntentTextField } from '../fields/IntentTextField';
import {
  draftOfIntent,
  intentWithResilience,
  ResilienceDraft,
} from './resilienceDraft';
import { LoadBalancingCard } from './LoadBalancingCard';
import {
  draftOfLoadBalancing,
  intentWithLoadBalancing,
  LoadBalancingDraft,
} from './loadBalancingDraft';
import { useUnsupported } from '../routingApi';

export interface ResilienceTabProps {
  intent: TrafficIntent;
  /** The regions of the mesh's clusters, offered for locality failover. */
  regions: string[];
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

type NumberKey = keyof ResilienceDraft;

/** One text field of the draft: its key, label, the intent path its issues come at, and how it is typed. */
type FieldSpec = [
  key: NumberKey,
  label: string,
  path: string,
  type?: 'number' | 'text',
  helperText?: string,
];
type RenderField = (spec: FieldSpec) => JSX.Element;

const TIMEOUT: FieldSpec[] = [
  ['timeout', 'Timeout', 'timeout', 'text', 'e.g. 2s; empty for none'],
];
const RETRIES: FieldSpec[] = [
  [
    'attempts',
    'Retry attempts',
    'retries.attempts',
    'number',
    'empty for Istio’s default; 0 turns retries off',
  ],
  ['perTryTimeout', 'Per-try timeout', 'retries.perTryTimeout', 'text'],
];
const CONNECTION_POOL: FieldSpec[] = [
  ['maxConnections', 'Max connections', 'connectionPool.tcp.maxConnections'],
  [
    'http1MaxPendingRequests',
    'Max pending requests',
    'connectionPool.http.http1MaxPendingRequests',
  ],
  ['http2MaxRequests', 'Max requests', 'connectionPool.http.http2MaxRequests'],
  [
    'maxRequestsPerConnection',
    'Max requests per connection',
    'connectionPool.http.maxRequestsPerConnection',
  ],
];
const OUTLIER_DETECTION: FieldSpec[] = [
  [
    'consecutive5xxErrors',
    'Consecutive 5xx errors',
    'outlierDetection.consecutive5xxErrors',
  ],
  ['interval', 'Interval', 'outlierDetection.interval', 'text', 'e.g. 10s'],
  [
    'baseEjectionTime',
    'Base ejection time',
    'outlierDetection.baseEjectionTime',
    'text',
    'e.g. 30s',
  ],
  [
    'maxEjectionPercent',
    'Max ejection percent',
    'outlierDetection.maxEjectionPercent',
  ],
];

const RetryOn = (props: {
  value: string[];
  disabled: boolean;
  issue?: string;
  onChange(value: string[]): void;
}) => (
  <TextField
    select
    id="mesh-retry-on"
    label="Retry on"
    fullWidth
    margin="dense"
    disabled={props.disabled}
    value={props.value}
    error={Boolean(props.issue)}
    helperText={props.issue}
    SelectProps={{
      multiple: true,
      renderValue: selected => (
        <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {(selected as string[]).map(v => (
            <Chip key={v} label={v} size="small" />
          ))}
        </Box>
      ),
    }}
    onChange={e => props.onChange(e.target.value as unknown as string[])}
  >
    {RETRY_ON_VALUES.map(v => (
      <MenuItem key={v} value={v}>
        {v}
      </MenuItem>
    ))}
  </TextField>
);

const CircuitBreaking = ({ field }: { field: RenderField }) => (
  <InfoCard title="Circuit breaking">
    <Typography variant="subtitle2">Connection pool</Typography>
    {CONNECTION_POOL.map(field)}
    <Box mt={2}>
      <Typography variant="subtitle2">Outlier detection</Typography>
    </Box>
    {OUTLIER_DETECTION.map(field)}
  </InfoCard>
);

type Failover = ResilienceDraft['failover'];

const FailoverRow = (props: {
  index: number;
  failover: Failover[number];
  regions: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(f: Failover[number]): void;
  onRemove(): void;
}) => {
  const { index: i, failover: f } = props;
  const issue = (side: 'from' | 'to') =>
    issueAt(props.issues, `failover[${i}].${side}`) ??
    issueAt(props.issues, `failover[${i}]`);
  return (
    <Box display="flex" alignItems="center" style={{ gap: 16 }}>
      {(['from', 'to'] as const).map(side => (
        <TextField
          key={side}
          select
          id={fieldId(`Failover ${i + 1} ${side}`)}
          label={`Failover ${i + 1} ${side}`}
          value={f[side]}
          margin="dense"
          disabled={props.disabled}
          style={{ minWidth: 200 }}
          SelectProps={{ native: true }}
          error={Boolean(issue(side))}
          helperText={issue(side)}
          onChange={e => props.onChange({ ...f, [side]: e.target.value })}
        >
          {[...new Set([...props.regions, f[side]])].map(r => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </TextField>
      ))}
      <IconButton
        aria-label={`Remove failover ${i + 1}`}
        disabled={props.disabled}
        onClick={props.onRemove}
      >
        <DeleteIcon />
      </IconButton>
    </Box>
  );
};

const LocalityFailover = (props: {
  failover: Failover;
  regions: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(f: Failover): void;
}) => {
  const { failover, regions } = props;
  return (
    <InfoCard
      title="Locality failover"
      subheader="When the endpoints in a region are ejected, send its traffic to another region. Needs outlier detection."
    >
      {failover.map((f, i) => (
        <FailoverRow
          key={i}
          index={i}
          failover={f}
          regions={regions}
          disabled={props.disabled}
          issues={props.issues}
          onChange={next =>
            props.onChange(failover.map((x, k) => (k === i ? next : x)))
          }
          onRemove={() => props.onChange(failover.filter((_, k) => k !== i))}
        />
      ))}
      {issueAt(props.issues, 'failover') && (
        <Typography color="error">
          {issueAt(props.issues, 'failover')}
        </Typography>
      )}
      <Button
        disabled={props.disabled || regions.length < 2}
        onClick={() =>
          props.onChange([
            ...failover,
            {
              from: regions[0],
              to: regions.find(r => r !== regions[0]) ?? regions[0],
            },
          ])
        }
      >
        Add failover
      </Button>
    </InfoCard>
  );
};

/** Renders a text field of the draft, with the backend's issue at its intent path. */
function fieldRenderer(
  draft: ResilienceDraft,
  setDraft: Dispatch<SetStateAction<ResilienceDraft>>,
  disabled: boolean,
  issues: IntentIssue[],
): RenderField {
  return ([key, label, path, type = 'number', helperText]) => (
    <IntentTextField
      key={key}
      label={label}
      type={type}
      value={draft[key] as string}
      disabled={disabled}
      onChange={e => setDraft(d => ({ ...d, [key]: e.target.value }))}
      issue={issueAt(issues, path)}
      helperText={helperText}
      fullWidth
    />
  );
}

/** The timeout, and the retries unless the mesh's routing API cannot write them (then off, saying why). */
const TimeoutAndRetries = (props: {
  draft: ResilienceDraft;
  setDraft: Dispatch<SetStateAction<ResilienceDraft>>;
  disabled: boolean;
  issues: IntentIssue[];
  field: RenderField;
}) => {
  const { draft, setDraft, disabled, issues, field } = props;
  const noRetries = useUnsupported('retries');
  const retryField = noRetries
    ? fieldRenderer(draft, setDraft, true, issues)
    : field;
  return (
    <InfoCard title="Timeout and retries">
      {TIMEOUT.map(field)}
      {RETRIES.map(retryField)}
      <RetryOn
        value={draft.retryOn}
        disabled={disabled || Boolean(noRetries)}
        issue={issueAt(issues, 'retries.retryOn', { under: true })}
        onChange={retryOn => setDraft(d => ({ ...d, retryOn }))}
      />
      {noRetries && (
        <Typography variant="caption" color="textSecondary">
          {noRetries}
        </Typography>
      )}
    </InfoCard>
  );
};

/** Timeout, retries, circuit breaking (connection pool, outlier detection), locality failover and load balancing. */
export const ResilienceTab = ({
  intent,
  regions,
  disabledReason,
  issues = [],
  onReview,
}: ResilienceTabProps) => {
  const disabled = Boolean(disabledReason);
  const [draft, setDraft] = useState<ResilienceDraft>(() =>
    draftOfIntent(intent),
  );
  const [balancing, setBalancing] = useState<LoadBalancingDraft>(() =>
    draftOfLoadBalancing(intent),
  );
  const field = fieldRenderer(draft, setDraft, disabled, issues);
  return (
    <Grid container spacing={3}>
      {disabledReason && (
        <Grid item xs={12}>
          <Typography color="textSecondary">{disabledReason}</Typography>
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <TimeoutAndRetries {...{ draft, setDraft, disabled, issues, field }} />
      </Grid>
      <Grid item xs={12} md={6}>
        <CircuitBreaking field={field} />
      </Grid>
      <Grid item xs={12}>
        <LocalityFailover
          failover={draft.failover}
          regions={regions}
          disabled={disabled}
          issues={issues}
          onChange={failover => setDraft(d => ({ ...d, failover }))}
        />
      </Grid>
      <Grid item xs={12}>
        <LoadBalancingCard
          draft={balancing}
          disabled={disabled}
          issues={issues}
          onChange={setBalancing}
        />
      </Grid>
      <Grid item xs={12}>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled}
          onClick={() =>
            onReview(
              intentWithLoadBalancing(
                intentWithResilience(intent, draft),
                balancing,
              ),
            )
          }
        >
          Review
        </Button>
      </Grid>
    </Grid>
  );
};
