import { InfoCard } from '@backstage/core-components';
import { Box, Button, IconButton } from '@material-ui/core';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  Destination,
  IntentIssue,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField, numberOrUndefined } from '../fields/IntentTextField';
import { MatchEditor } from './MatchEditor';
import { FaultMirrorFields } from './FaultMirrorFields';
import { useUnsupported } from '../routingApi';
import { menuItems } from '../fields/menuItems';
import { scopedLabel } from '../fields/scopedLabel';
import { RouteDraft } from './routesDraft';

type Props = {
  index: number;
  count: number;
  route: RouteDraft;
  versions: string[];
  clusters: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(route: RouteDraft): void;
  onMove(by: -1 | 1): void;
  onRemove(): void;
};

/** One destination of a route's split: version, optional cluster, weight. */
const DestinationRow = (props: {
  scope: string;
  at: string;
  destination: Destination;
  versions: string[];
  clusters: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(d: Destination): void;
}) => {
  const { scope, at, destination: d, disabled } = props;
  const noCluster = useUnsupported('cluster');
  const setCluster = (cluster: string) => {
    const { cluster: _old, ...rest } = d;
    props.onChange(cluster ? { ...rest, cluster } : rest);
  };
  return (
    <Box display="flex" style={{ gap: 8 }}>
      <IntentTextField
        select
        {...scopedLabel(scope, 'version')}
        value={d.version}
        disabled={disabled}
        issue={issueAt(props.issues, `${at}.version`)}
        onChange={e => props.onChange({ ...d, version: e.target.value })}
        style={{ minWidth: 120 }}
      >
        {menuItems(props.versions)}
      </IntentTextField>
      <IntentTextField
        select
        {...scopedLabel(scope, 'cluster')}
        value={d.cluster ?? ''}
        disabled={disabled || Boolean(noCluster)}
        title={noCluster}
        onChange={e => setCluster(e.target.value)}
        style={{ minWidth: 120 }}
      >
        {menuItems(props.clusters, 'any cluster')}
      </IntentTextField>
      <IntentTextField
        type="number"
        {...scopedLabel(scope, 'weight')}
        value={d.weight}
        disabled={disabled}
        issue={issueAt(props.issues, at, { under: true })}
        onChange={e =>
          props.onChange({
            ...d,
            weight: numberOrUndefined(e.target.value) ?? 0,
          })
        }
      />
    </Box>
  );
};

/** A route's split: rows of version, optional cluster and weight. */
const SplitRows = (props: Props) => {
  const { route, index, disabled } = props;
  const at = `routes[${index}].split`;
  return (
    <Box mt={1}>
      {route.split.map((d, i) => (
        <DestinationRow
          key={i}
          scope={`${route.name} destination ${i + 1}`}
          at={`${at}[${i}]`}
          destination={d}
          versions={props.versions}
          clusters={props.clusters}
          disabled={disabled}
          issues={props.issues}
          onChange={next =>
            props.onChange({
              ...route,
              split: route.split.map((x, k) => (k === i ? next : x)),
            })
          }
        />
      ))}
      {issueAt(props.issues, at) && (
        <Box color="error.main">{issueAt(props.issues, at)}</Box>
      )}
      <Button
        size="small"
        disabled={disabled}
        onClick={() =>
          props.onChange({
            ...route,
            split: [...route.split, { version: props.versions[0], weight: 0 }],
          })
        }
      >
        Add a destination to {route.name}
      </Button>
    </Box>
  );
};

const RouteActions = (props: Props) => (
  <Box>
    <IconButton
      aria-label={`Move ${props.route.name} up`}
      disabled={props.disabled || props.index === 0}
      onClick={() => props.onMove(-1)}
    >
      <ArrowUpwardIcon />
    </IconButton>
    <IconButton
      aria-label={`Move ${props.route.name} down`}
      disabled={props.disabled || props.index === props.count - 1}
      onClick={() => props.onMove(1)}
    >
      <ArrowDownwardIcon />
    </IconButton>
    <IconButton
      aria-label={`Remove ${props.route.name}`}
      disabled={props.disabled}
      onClick={props.onRemove}
    >
      <DeleteIcon />
    </IconButton>
  </Box>
);

/** One route: its name, its match alternatives (OR), its split, fault, mirror, timeout and retries. */
export const RouteEditor = (props: Props) => {
  const { route, index, disabled, issues } = props;
  const noRetries = useUnsupported('retries');
  const set = (patch: Partial<RouteDraft>) =>
    props.onChange({ ...route, ...patch });
  const at = `routes[${index}]`;
  return (
    <InfoCard
      title={`${index + 1}. ${route.name}`}
      action={<RouteActions {...props} />}
    >
      <IntentTextField
        {...scopedLabel(`Route ${index + 1}`, 'name')}
        value={route.name}
        disabled={disabled}
        issue={issueAt(issues, `${at}.name`)}
        onChange={e => set({ name: e.target.value })}
      />
      {route.alternatives.map((conditions, i) => (
        <Box key={i} display="flex" alignItems="flex-start">
          <MatchEditor
            label={`${route.name} match ${i + 1}`}
            conditions={conditions}
            disabled={disabled}
            issue={issueAt(issues, `${at}.match[${i}]`, { under: true })}
            onChange={next =>
              set({
                alternatives: route.alternatives.map((x, k) =>
                  k === i ? next : x,
                ),
              })
            }
          />
        </Box>
      ))}
      <Button
        size="small"
        disabled={disabled}
        onClick={() => set({ alternatives: [...route.alternatives, []] })}
      >
        Or match also
      </Button>
      <SplitRows {...props} />
      <FaultMirrorFields {...props} />
      <Box display="flex" style={{ gap: 8 }}>
        <IntentTextField
          {...scopedLabel(route.name, 'timeout')}
          value={route.timeout}
          disabled={disabled}
          issue={issueAt(issues, `${at}.timeout`)}
          onChange={e => set({ timeout: e.target.value })}
        />
        <IntentTextField
          type="number"
          {...scopedLabel(route.name, 'retry attempts')}
          value={route.attempts}
          disabled={disabled || Boolean(noRetries)}
          title={noRetries}
          issue={issueAt(issues, `${at}.retries`, { under: true })}
          onChange={e => set({ attempts: e.target.value })}
        />
      </Box>
    </InfoCard>
  );
};
