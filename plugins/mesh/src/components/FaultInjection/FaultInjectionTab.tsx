import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Grid,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import {
  currentFault,
  Fault,
  IntentIssue,
  TrafficIntent,
  withFault,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField, numberOrUndefined } from '../fields/IntentTextField';
import {
  draftFromRule,
  RequestRuleFields,
  RuleDraft,
  ruleFromDraft,
} from '../fields/RequestRuleFields';
import { DisabledReason } from '../fields/DisabledReason';

export interface FaultInjectionTabProps {
  intent: TrafficIntent;
  service: string;
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

const asNumber = (text: string) => numberOrUndefined(text) ?? NaN;

/** Delays and aborts, for requests with a header (the default) or, after confirmation, all traffic. */
export const FaultInjectionTab = ({
  intent,
  service,
  disabledReason,
  issues = [],
  onReview,
}: FaultInjectionTabProps) => {
  const disabled = Boolean(disabledReason);
  const live = currentFault(intent);
  const [delayOn, setDelayOn] = useState(
    Boolean(live.fault?.delay) || !live.fault,
  );
  const [fixed, setFixed] = useState(live.fault?.delay?.fixed ?? '5s');
  const [delayPercent, setDelayPercent] = useState(
    String(live.fault?.delay?.percent ?? 100),
  );
  const [abortOn, setAbortOn] = useState(Boolean(live.fault?.abort));
  const [httpStatus, setHttpStatus] = useState(
    String(live.fault?.abort?.httpStatus ?? 503),
  );
  const [abortPercent, setAbortPercent] = useState(
    String(live.fault?.abort?.percent ?? 100),
  );
  const [scope, setScope] = useState<'header' | 'all'>(
    live.scope === 'all' ? 'all' : 'header',
  );
  const [rule, setRule] = useState<RuleDraft>(() =>
    draftFromRule(live.scope === 'all' ? undefined : live.scope, {
      kind: 'header',
      name: 'x-fault-injection',
      value: 'on',
    }),
  );
  const [confirming, setConfirming] = useState(false);

  const fault: Fault = {
    ...(delayOn ? { delay: { fixed, percent: asNumber(delayPercent) } } : {}),
    ...(abortOn
      ? {
          abort: {
            httpStatus: asNumber(httpStatus),
            percent: asNumber(abortPercent),
          },
        }
      : {}),
  };
  const next = () =>
    withFault(intent, fault, scope === 'all' ? 'all' : ruleFromDraft(rule)!);
  const review = () =>
    scope === 'all' ? setConfirming(true) : onReview(next());

  return (
    <InfoCard
      title="Fault injection"
      subheader="Test how callers cope: delay or fail a share of the requests to this service."
    >
      <DisabledReason reason={disabledReason} />
      {live.fault && (
        <Typography paragraph>
          A fault is live for{' '}
          {live.scope === 'all' ? 'all traffic' : 'requests with its header'}.
        </Typography>
      )}
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <FormControlLabel
            control={
              <Checkbox
                checked={delayOn}
                disabled={disabled}
                onChange={e => setDelayOn(e.target.checked)}
              />
            }
            label="Delay"
          />
          <Box display="flex" style={{ gap: 16 }}>
            <IntentTextField
              label="Delay duration"
              helperText="e.g. 5s or 300ms"
              value={fixed}
              disabled={disabled || !delayOn}
              onChange={e => setFixed(e.target.value)}
              issue={issueAt(issues, 'fault.delay.fixed')}
            />
            <IntentTextField
              label="Delayed percent"
              type="number"
              value={delayPercent}
              disabled={disabled || !delayOn}
              onChange={e => setDelayPercent(e.target.value)}
              issue={issueAt(issues, 'fault.delay.percent')}
            />
          </Box>
        </Grid>
        <Grid item xs={12} md={6}>
          <FormControlLabel
            control={
              <Checkbox
                checked={abortOn}
                disabled={disabled}
                onChange={e => setAbortOn(e.target.checked)}
              />
            }
            label="Abort"
          />
          <Box display="flex" style={{ gap: 16 }}>
            <IntentTextField
              label="HTTP status"
              type="number"
              value={httpStatus}
              disabled={disabled || !abortOn}
              onChange={e => setHttpStatus(e.target.value)}
              issue={issueAt(issues, 'fault.abort.httpStatus')}
            />
            <IntentTextField
              label="Aborted percent"
              type="number"
              value={abortPercent}
              disabled={disabled || !abortOn}
              onChange={e => setAbortPercent(e.target.value)}
              issue={issueAt(issues, 'fault.abort.percent')}
            />
          </Box>
        </Grid>
      </Grid>
      {issueAt(issues, 'fault') && (
        <Typography color="error">{issueAt(issues, 'fault')}</Typography>
      )}
      <Box mt={2}>
        <Typography variant="subtitle2">Scope</Typography>
        <RadioGroup
          row
          aria-label="Scope"
          value={scope}
          onChange={e => setScope(e.target.value as 'header' | 'all')}
        >
          <FormControlLabel
            value="header"
            control={<Radio />}
            label="Only requests with a header"
            disabled={disabled}
          />
          <FormControlLabel
            value="all"
            control={<Radio />}
            label="All traffic"
            disabled={disabled}
          />
        </RadioGroup>
        {scope === 'header' && (
          <RequestRuleFields
            title="Faulted requests"
            draft={rule}
            disabled={disabled}
            issue={issueAt(issues, 'routes[0].match', { under: true })}
            onChange={setRule}
          />
        )}
      </Box>
      <Box display="flex" mt={2} style={{ gap: 8 }}>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled || (!delayOn && !abortOn)}
          onClick={review}
        >
          Review fault
        </Button>
        {live.fault && (
          <Button
            variant="outlined"
            disabled={disabled}
            onClick={() => onReview(withFault(intent, null))}
          >
            Remove fault
          </Button>
        )}
      </Box>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        aria-labelledby="mesh-fault-all-title"
      >
        <DialogTitle id="mesh-fault-all-title">
          Inject the fault into all traffic?
        </DialogTitle>
        <DialogContent>
          <Typography>
            Every caller of {service} will be affected, not only those that send
            a header. Continue to the review?
          </Typography>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={() => {
              setConfirming(false);
              onReview(next());
            }}
          >
            Affect all traffic
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
};
