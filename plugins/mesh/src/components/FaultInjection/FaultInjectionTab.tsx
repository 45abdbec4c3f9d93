import { InfoCard } from '@backstage/core-components';
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  Grid,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import {
  currentFault,
  Expires,
  Fault,
  FAULT_ROUTE,
  IntentIssue,
  RiskyPart,
  TrafficIntent,
  withFault,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { expiresFor } from '../EntityMeshContent/ExpiryNotice';
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
import { ConfirmDialog } from '../fields/ConfirmDialog';

export interface FaultInjectionTabProps {
  intent: TrafficIntent;
  service: string;
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
}

/** Which risky part holds the fault an intent has: the top-level fault, or its header route. */
const faultPart = (intent: TrafficIntent): RiskyPart =>
  currentFault(intent).scope === 'all' ? 'fault' : `routes.${FAULT_ROUTE}`;

/** The path of an end's field in a plan's issues, for the part the fault is in. */
const endsAfterPath = (part: RiskyPart) =>
  part === 'fault'
    ? 'expires.fault.for'
    : `expires.routes.${part.slice('routes.'.length)}.for`;

const asNumber = (text: string) => numberOrUndefined(text) ?? NaN;

/** The fault as being edited: each part on or off, its values as typed, and whom it is for. */
function useFaultDraft(intent: TrafficIntent) {
  const live = currentFault(intent);
  const [delayOn, setDelayOn] = useState(
    Boolean(live.fault?.delay) || !live.fault,
  );
  const [delay, setDelay] = useState({
    first: live.fault?.delay?.fixed ?? '5s',
    second: String(live.fault?.delay?.percent ?? 100),
  });
  const [abortOn, setAbortOn] = useState(Boolean(live.fault?.abort));
  const [abort, setAbort] = useState({
    first: String(live.fault?.abort?.httpStatus ?? 503),
    second: String(live.fault?.abort?.percent ?? 100),
  });
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
  const fault: Fault = {
    ...(delayOn
      ? { delay: { fixed: delay.first, percent: asNumber(delay.second) } }
      : {}),
    ...(abortOn
      ? {
          abort: {
            httpStatus: asNumber(abort.first),
            percent: asNumber(abort.second),
          },
        }
      : {}),
  };
  const next = () =>
    withFault(intent, fault, scope === 'all' ? 'all' : ruleFromDraft(rule)!);
  return {
    live,
    delayOn,
    setDelayOn,
    delay,
    setDelay,
    abortOn,
    setAbortOn,
    abort,
    setAbort,
    scope,
    setScope,
    rule,
    setRule,
    next,
  };
}

type PartValues = { first: string; second: string };

/** One part of a fault (delay or abort): a switch and its two values. */
const FaultPart = (props: {
  label: string;
  on: boolean;
  values: PartValues;
  fields: [
    label: string,
    path: string,
    type: 'text' | 'number',
    helperText?: string,
  ][];
  disabled: boolean;
  issues: IntentIssue[];
  onToggle(on: boolean): void;
  onChange(values: PartValues): void;
}) => (
  <Grid item xs={12} md={6}>
    <FormControlLabel
      control={
        <Checkbox
          checked={props.on}
          disabled={props.disabled}
          onChange={e => props.onToggle(e.target.checked)}
        />
      }
      label={props.label}
    />
    <Box display="flex" style={{ gap: 16 }}>
      {props.fields.map(([label, path, type, helperText], i) => {
        const key = i === 0 ? 'first' : 'second';
        return (
          <IntentTextField
            key={label}
            label={label}
            type={type}
            helperText={helperText}
            value={props.values[key]}
            disabled={props.disabled || !props.on}
            onChange={e =>
              props.onChange({ ...props.values, [key]: e.target.value })
            }
            issue={issueAt(props.issues, path)}
          />
        );
      })}
    </Box>
  </Grid>
);

const ScopeChoice = (props: {
  scope: 'header' | 'all';
  rule: RuleDraft;
  disabled: boolean;
  issues: IntentIssue[];
  onScope(scope: 'header' | 'all'): void;
  onRule(rule: RuleDraft): void;
}) => (
  <Box mt={2}>
    <Typography variant="subtitle2">Scope</Typography>
    <RadioGroup
      row
      aria-label="Scope"
      value={props.scope}
      onChange={e => props.onScope(e.target.value as 'header' | 'all')}
    >
      <FormControlLabel
        value="header"
        control={<Radio />}
        label="Only requests with a header"
        disabled={props.disabled}
      />
      <FormControlLabel
        value="all"
        control={<Radio />}
        label="All traffic"
        disabled={props.disabled}
      />
    </RadioGroup>
    {props.scope === 'header' && (
      <RequestRuleFields
        title="Faulted requests"
        draft={props.rule}
        disabled={props.disabled}
        issue={issueAt(props.issues, 'routes[0].match', { under: true })}
        onChange={props.onRule}
      />
    )}
  </Box>
);

const ConfirmAllTraffic = (props: {
  open: boolean;
  service: string;
  onCancel(): void;
  onConfirm(): void;
}) => (
  <ConfirmDialog
    id="mesh-fault-all-title"
    title="Inject the fault into all traffic?"
    confirmLabel="Affect all traffic"
    {...props}
  >
    <Typography>
      Every caller of {props.service} will be affected, not only those that send
      a header. Continue to the review?
    </Typography>
  </ConfirmDialog>
);

/** Review (after confirmation when it affects all traffic) and, when a fault is live, its removal. */
const FaultActions = (props: {
  service: string;
  disabled: boolean;
  canReview: boolean;
  allTraffic: boolean;
  live: boolean;
  onReview(): void;
  onRemove(): void;
}) => {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Box display="flex" mt={2} style={{ gap: 8 }}>
        <Button
          variant="contained"
          color="primary"
          disabled={props.disabled || !props.canReview}
          onClick={() =>
            props.allTraffic ? setConfirming(true) : props.onReview()
          }
        >
          Review fault
        </Button>
        {props.live && (
          <Button
            variant="outlined"
            disabled={props.disabled}
            onClick={props.onRemove}
          >
            Remove fault
          </Button>
        )}
      </Box>
      <ConfirmAllTraffic
        open={confirming}
        service={props.service}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          props.onReview();
        }}
      />
    </>
  );
};

/** Delays and aborts, for requests with a header (the default) or, after confirmation, all traffic. */
export const FaultInjectionTab = ({
  intent,
  service,
  disabledReason,
  issues = [],
  onReview,
}: FaultInjectionTabProps) => {
  const disabled = Boolean(disabledReason);
  const d = useFaultDraft(intent);
  const [endsAfter, setEndsAfter] = useState('');
  const common = { disabled, issues };
  return (
    <InfoCard
      title="Fault injection"
      subheader="Test how callers cope: delay or fail a share of the requests to this service."
    >
      <DisabledReason reason={disabledReason} />
      {d.live.fault && (
        <Typography paragraph>
          A fault is live for{' '}
          {d.live.scope === 'all' ? 'all traffic' : 'requests with its header'}.
        </Typography>
      )}
      <Grid container spacing={2}>
        <FaultPart
          label="Delay"
          on={d.delayOn}
          values={d.delay}
          fields={[
            ['Delay duration', 'fault.delay.fixed', 'text', 'e.g. 5s or 300ms'],
            ['Delayed percent', 'fault.delay.percent', 'number'],
          ]}
          onToggle={d.setDelayOn}
          onChange={d.setDelay}
          {...common}
        />
        <FaultPart
          label="Abort"
          on={d.abortOn}
          values={d.abort}
          fields={[
            ['HTTP status', 'fault.abort.httpStatus', 'number'],
            ['Aborted percent', 'fault.abort.percent', 'number'],
          ]}
          onToggle={d.setAbortOn}
          onChange={d.setAbort}
          {...common}
        />
      </Grid>
      {issueAt(issues, 'fault') && (
        <Typography color="error">{issueAt(issues, 'fault')}</Typography>
      )}
      <ScopeChoice
        scope={d.scope}
        rule={d.rule}
        onScope={d.setScope}
        onRule={d.setRule}
        {...common}
      />
      <Box mt={2} maxWidth={320}>
        <IntentTextField
          label="Ends by itself after (optional)"
          value={endsAfter}
          fullWidth
          disabled={disabled}
          helperText="e.g. 30m: the fault is removed then, on every cluster"
          issue={
            issueAt(issues, endsAfterPath(faultPart(d.next()))) ??
            issueAt(issues, 'expires.fault') ??
            issueAt(issues, `expires.routes.${FAULT_ROUTE}`)
          }
          onChange={e => setEndsAfter(e.target.value)}
        />
      </Box>
      <FaultActions
        service={service}
        disabled={disabled}
        canReview={d.delayOn || d.abortOn}
        allTraffic={d.scope === 'all'}
        live={Boolean(d.live.fault)}
        onReview={() => {
          const next = d.next();
          const ends = endsAfter.trim();
          if (ends) onReview(next, expiresFor(faultPart(next), { for: ends }));
          else onReview(next);
        }}
        onRemove={() => onReview(withFault(intent, null))}
      />
    </InfoCard>
  );
};
