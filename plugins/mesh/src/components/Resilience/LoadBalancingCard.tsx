import { InfoCard } from '@backstage/core-components';
import { Grid, MenuItem } from '@material-ui/core';
import { IntentIssue } from '@meshtraffic/backstage-plugin-mesh-common';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField } from '../fields/IntentTextField';
import { HashOn, LoadBalancingDraft, Policy } from './loadBalancingDraft';

const POLICIES: Array<[Policy, string]> = [
  ['', 'Istio’s default'],
  ['ROUND_ROBIN', 'Round robin'],
  ['LEAST_REQUEST', 'Least request'],
  ['RANDOM', 'Random'],
  ['PASSTHROUGH', 'Passthrough'],
  ['HASH', 'Consistent hash (sticky sessions)'],
];
const HASH_ON: Array<[HashOn, string]> = [
  ['header', 'a header'],
  ['cookie', 'a cookie'],
  ['sourceIp', 'the source IP'],
  ['query', 'a query parameter'],
];
const HASH_PATH = 'loadBalancer.consistentHash';

type Props = {
  draft: LoadBalancingDraft;
  disabled: boolean;
  issues: IntentIssue[];
  onChange(draft: LoadBalancingDraft): void;
};

/** What a consistent hash keys on, and the cookie's ttl and path. */
const HashFields = ({ draft, disabled, issues, onChange }: Props) => {
  const set = (patch: Partial<LoadBalancingDraft>) =>
    onChange({ ...draft, ...patch });
  const hashIssue = issueAt(issues, HASH_PATH, { under: true });
  return (
    <>
      <IntentTextField
        select
        label="Hash on"
        value={draft.hashOn}
        disabled={disabled}
        fullWidth
        onChange={e => set({ hashOn: e.target.value as HashOn })}
      >
        {HASH_ON.map(([value, label]) => (
          <MenuItem key={value} value={value}>
            {label}
          </MenuItem>
        ))}
      </IntentTextField>
      {draft.hashOn !== 'sourceIp' && (
        <IntentTextField
          label="Hash key name"
          value={draft.hashName}
          disabled={disabled}
          fullWidth
          helperText="the header, cookie or query parameter name"
          issue={hashIssue}
          onChange={e => set({ hashName: e.target.value })}
        />
      )}
      {draft.hashOn === 'cookie' && (
        <>
          <IntentTextField
            label="Cookie ttl"
            value={draft.cookieTtl}
            disabled={disabled}
            fullWidth
            helperText="e.g. 30m; Envoy sets the cookie when it is missing"
            onChange={e => set({ cookieTtl: e.target.value })}
          />
          <IntentTextField
            label="Cookie path"
            value={draft.cookiePath}
            disabled={disabled}
            fullWidth
            onChange={e => set({ cookiePath: e.target.value })}
          />
        </>
      )}
    </>
  );
};

/** The load balancing policy, and locality-weighted distribution and failover priorities. */
export const LoadBalancingCard = (props: Props) => {
  const { draft, disabled, issues, onChange } = props;
  const set = (patch: Partial<LoadBalancingDraft>) =>
    onChange({ ...draft, ...patch });
  return (
    <InfoCard
      title="Load balancing and locality"
      subheader="How each version's endpoints share requests, and how much stays in each locality."
    >
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <IntentTextField
            select
            label="Load balancing policy"
            value={draft.policy}
            disabled={disabled}
            fullWidth
            issue={issueAt(issues, 'loadBalancer')}
            onChange={e => set({ policy: e.target.value as Policy })}
          >
            {POLICIES.map(([value, label]) => (
              <MenuItem key={value || 'default'} value={value}>
                {label}
              </MenuItem>
            ))}
          </IntentTextField>
          {draft.policy === 'HASH' && <HashFields {...props} />}
        </Grid>
        <Grid item xs={12} md={6}>
          <IntentTextField
            label="Locality distribution"
            value={draft.distribute}
            disabled={disabled}
            fullWidth
            multiline
            minRows={2}
            helperText="one rule per line: us-east1/* -> us-east1/*=80, us-west1/*=20"
            issue={issueAt(issues, 'locality.distribute', { under: true })}
            onChange={e => set({ distribute: e.target.value })}
          />
          <IntentTextField
            label="Failover priority labels"
            value={draft.failoverPriority}
            disabled={disabled}
            fullWidth
            helperText="most important first, e.g. topology.istio.io/network; needs outlier detection"
            issue={issueAt(issues, 'locality.failoverPriority', {
              under: true,
            })}
            onChange={e => set({ failoverPriority: e.target.value })}
          />
        </Grid>
      </Grid>
    </InfoCard>
  );
};
