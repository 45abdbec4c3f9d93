import { Box } from '@material-ui/core';
import { IntentIssue } from '@meshtraffic/backstage-plugin-mesh-common';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField } from '../fields/IntentTextField';
import { menuItems } from '../fields/menuItems';
import { scopedLabel } from '../fields/scopedLabel';
import { RouteDraft } from './routesDraft';
import { useUnsupported } from '../routingApi';

type FaultMirrorKey =
  | 'abortStatus'
  | 'abortPercent'
  | 'delay'
  | 'delayPercent'
  | 'mirrorPercent';

const FIELDS: Array<[FaultMirrorKey, string, string]> = [
  ['abortStatus', 'abort status', 'fault.abort.httpStatus'],
  ['abortPercent', 'abort percent', 'fault.abort.percent'],
  ['delay', 'delay', 'fault.delay.fixed'],
  ['delayPercent', 'delay percent', 'fault.delay.percent'],
];

/** A route's fault (abort, delay) and mirror; empty fields leave them out. */
export const FaultMirrorFields = (props: {
  index: number;
  route: RouteDraft;
  versions: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(route: RouteDraft): void;
}) => {
  const { route, index, disabled, issues } = props;
  const noFault = useUnsupported('fault');
  const at = `routes[${index}]`;
  const set = (patch: Partial<RouteDraft>) =>
    props.onChange({ ...route, ...patch });
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
      {FIELDS.map(([key, text, path]) => (
        <IntentTextField
          key={key}
          {...scopedLabel(route.name, text)}
          value={route[key]}
          disabled={disabled || Boolean(noFault)}
          title={noFault}
          issue={
            issueAt(issues, `${at}.${path}`) ??
            (key === 'abortStatus' ? issueAt(issues, `${at}.fault`) : undefined)
          }
          onChange={e => set({ [key]: e.target.value })}
          style={{ maxWidth: 140 }}
        />
      ))}
      <IntentTextField
        select
        {...scopedLabel(route.name, 'mirror to')}
        value={route.mirrorVersion}
        disabled={disabled}
        issue={issueAt(issues, `${at}.mirror.version`)}
        onChange={e => set({ mirrorVersion: e.target.value })}
        style={{ minWidth: 120 }}
      >
        {menuItems(props.versions, 'no mirror')}
      </IntentTextField>
      <IntentTextField
        {...scopedLabel(route.name, 'mirrored percent')}
        value={route.mirrorPercent}
        disabled={disabled || !route.mirrorVersion}
        issue={issueAt(issues, `${at}.mirror.percent`)}
        onChange={e => set({ mirrorPercent: e.target.value })}
        style={{ maxWidth: 140 }}
      />
    </Box>
  );
};
