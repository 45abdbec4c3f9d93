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
import { useState } from 'react';
import { issueAt } from '../fields/intentIssues';
import { fieldId, IntentTextField } from '../fields/IntentTextField';
import {
  draftOfIntent,
  intentWithResilience,
  ResilienceDraft,
} from './resilienceDraft';

export interface ResilienceTabProps {
  intent: TrafficIntent;
  /** The regions of the mesh's clusters, offered for locality failover. */
  regions: string[];
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

type NumberKey = keyof ResilienceDraft;

/** Timeout, retries, circuit breaking (connection pool, outlier detection) and locality failover. */
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
  const set = (key: NumberKey) => (e: { target: { value: string } }) =>
    setDraft(d => ({ ...d, [key]: e.target.value }));
  const field = (
    key: NumberKey,
    label: string,
    path: string,
    type: 'number' | 'text' = 'number',
    helperText?: string,
  ) => (
    <IntentTextField
      label={label}
      type={type}
      value={draft[key] as string}
      disabled={disabled}
      onChange={set(key)}
      issue={issueAt(issues, path)}
      helperText={helperText}
      fullWidth
    />
  );
  const setFailover = (failover: ResilienceDraft['failover']) =>
    setDraft(d => ({ ...d, failover }));

  return (
    <Grid container spacing={3}>
      {disabledReason && (
        <Grid item xs={12}>
          <Typography color="textSecondary">{disabledReason}</Typography>
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <InfoCard title="Timeout and retries">
          {field(
            'timeout',
            'Timeout',
            'timeout',
            'text',
            'e.g. 2s; empty for none',
          )}
          {field(
            'attempts',
            'Retry attempts',
            'retries.attempts',
            'number',
            'empty for Istio’s default; 0 turns retries off',
          )}
          {field(
            'perTryTimeout',
            'Per-try timeout',
            'retries.perTryTimeout',
            'text',
          )}
          <TextField
            select
            id="mesh-retry-on"
            label="Retry on"
            fullWidth
            margin="dense"
            disabled={disabled}
            value={draft.retryOn}
            error={Boolean(issueAt(issues, 'retries.retryOn', { under: true }))}
            helperText={issueAt(issues, 'retries.retryOn', { under: true })}
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
            onChange={e =>
              setDraft(d => ({
                ...d,
                retryOn: e.target.value as unknown as string[],
              }))
            }
          >
            {RETRY_ON_VALUES.map(v => (
              <MenuItem key={v} value={v}>
                {v}
              </MenuItem>
            ))}
          </TextField>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Circuit breaking">
          <Typography variant="subtitle2">Connection pool</Typography>
          {field(
            'maxConnections',
            'Max connections',
            'connectionPool.tcp.maxConnections',
          )}
          {field(
            'http1MaxPendingRequests',
            'Max pending requests',
            'connectionPool.http.http1MaxPendingRequests',
          )}
          {field(
            'http2MaxRequests',
            'Max requests',
            'connectionPool.http.http2MaxRequests',
          )}
          {field(
            'maxRequestsPerConnection',
            'Max requests per connection',
            'connectionPool.http.maxRequestsPerConnection',
          )}
          <Box mt={2}>
            <Typography variant="subtitle2">Outlier detection</Typography>
          </Box>
          {field(
            'consecutive5xxErrors',
            'Consecutive 5xx errors',
            'outlierDetection.consecutive5xxErrors',
          )}
          {field(
            'interval',
            'Interval',
            'outlierDetection.interval',
            'text',
            'e.g. 10s',
          )}
          {field(
            'baseEjectionTime',
            'Base ejection time',
            'outlierDetection.baseEjectionTime',
            'text',
            'e.g. 30s',
          )}
          {field(
            'maxEjectionPercent',
            'Max ejection percent',
            'outlierDetection.maxEjectionPercent',
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard
          title="Locality failover"
          subheader="When the endpoints in a region are ejected, send its traffic to another region. Needs outlier detection."
        >
          {draft.failover.map((f, i) => (
            <Box key={i} display="flex" alignItems="center" style={{ gap: 16 }}>
              {(['from', 'to'] as const).map(side => (
                <TextField
                  key={side}
                  select
                  id={fieldId(`Failover ${i + 1} ${side}`)}
                  label={`Failover ${i + 1} ${side}`}
                  value={f[side]}
                  margin="dense"
                  disabled={disabled}
                  style={{ minWidth: 200 }}
                  SelectProps={{ native: true }}
                  error={Boolean(
                    issueAt(issues, `failover[${i}].${side}`) ??
                      issueAt(issues, `failover[${i}]`),
                  )}
                  helperText={
                    issueAt(issues, `failover[${i}].${side}`) ??
                    issueAt(issues, `failover[${i}]`)
                  }
                  onChange={e =>
                    setFailover(
                      draft.failover.map((x, k) =>
                        k === i ? { ...x, [side]: e.target.value } : x,
                      ),
                    )
                  }
                >
                  {[...new Set([...regions, f[side]])].map(r => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </TextField>
              ))}
              <IconButton
                aria-label={`Remove failover ${i + 1}`}
                disabled={disabled}
                onClick={() =>
                  setFailover(draft.failover.filter((_, k) => k !== i))
                }
              >
                <DeleteIcon />
              </IconButton>
            </Box>
          ))}
          {issueAt(issues, 'failover') && (
            <Typography color="error">{issueAt(issues, 'failover')}</Typography>
          )}
          <Button
            disabled={disabled || regions.length < 2}
            onClick={() =>
              setFailover([
                ...draft.failover,
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
      </Grid>
      <Grid item xs={12}>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled}
          onClick={() => onReview(intentWithResilience(intent, draft))}
        >
          Review
        </Button>
      </Grid>
    </Grid>
  );
};
