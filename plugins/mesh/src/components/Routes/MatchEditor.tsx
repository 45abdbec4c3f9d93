import {
  Box,
  Button,
  IconButton,
  MenuItem,
  Typography,
} from '@material-ui/core';
import DeleteIcon from '@material-ui/icons/Delete';
import { IntentTextField } from '../fields/IntentTextField';
import { scopedLabel } from '../fields/scopedLabel';
import { Condition, ConditionKind, MatchOp } from './routeDraft';
import { useUnsupported } from '../routingApi';

const KINDS: Array<[ConditionKind, string]> = [
  ['header', 'Header'],
  ['uri', 'URI'],
  ['method', 'Method'],
  ['query', 'Query parameter'],
  ['sourceCluster', 'Caller cluster'],
];
const OPS: MatchOp[] = ['exact', 'prefix', 'regex'];

/** One condition row: what is matched, how, and the value. */
const ConditionRow = (props: {
  label: string;
  condition: Condition;
  disabled: boolean;
  onChange(c: Condition): void;
  onRemove(): void;
}) => {
  const { condition: c, label, disabled } = props;
  const noCallerCluster = useUnsupported('sourceCluster');
  const noHeaderPrefix = useUnsupported('headerPrefix');
  // What this mesh's routing API cannot match on is not offered (a condition already set stays visible).
  const kinds = KINDS.filter(
    ([k]) => k === c.kind || !(k === 'sourceCluster' && noCallerCluster),
  );
  const ops = OPS.filter(
    op =>
      op === c.op ||
      !(op === 'prefix' && c.kind === 'header' && noHeaderPrefix),
  );
  const set = (patch: Partial<Condition>) => props.onChange({ ...c, ...patch });
  const named = c.kind === 'header' || c.kind === 'query';
  return (
    <Box display="flex" alignItems="flex-end" style={{ gap: 8 }}>
      <IntentTextField
        select
        {...scopedLabel(label, 'matches on')}
        value={c.kind}
        disabled={disabled}
        onChange={e => set({ kind: e.target.value as ConditionKind })}
        style={{ minWidth: 150 }}
      >
        {kinds.map(([value, text]) => (
          <MenuItem key={value} value={value}>
            {text}
          </MenuItem>
        ))}
      </IntentTextField>
      {named && (
        <IntentTextField
          {...scopedLabel(label, 'name')}
          value={c.name}
          disabled={disabled}
          onChange={e => set({ name: e.target.value })}
        />
      )}
      {c.kind !== 'sourceCluster' && (
        <IntentTextField
          select
          {...scopedLabel(label, 'how')}
          value={c.op}
          disabled={disabled}
          onChange={e => set({ op: e.target.value as MatchOp })}
          style={{ minWidth: 100 }}
        >
          {ops.map(op => (
            <MenuItem key={op} value={op}>
              {op}
            </MenuItem>
          ))}
        </IntentTextField>
      )}
      <IntentTextField
        {...scopedLabel(label, 'value')}
        value={c.value}
        disabled={disabled}
        onChange={e => set({ value: e.target.value })}
      />
      <IconButton
        aria-label={`Remove ${label}`}
        disabled={disabled}
        onClick={props.onRemove}
      >
        <DeleteIcon />
      </IconButton>
    </Box>
  );
};

/** A match alternative: all its conditions must hold (AND). */
export const MatchEditor = (props: {
  label: string;
  conditions: Condition[];
  disabled: boolean;
  issue?: string;
  onChange(conditions: Condition[]): void;
}) => {
  const { conditions, label, disabled, onChange } = props;
  return (
    <Box mb={1}>
      {conditions.map((c, i) => (
        <ConditionRow
          key={i}
          label={`${label} condition ${i + 1}`}
          condition={c}
          disabled={disabled}
          onChange={next =>
            onChange(conditions.map((x, k) => (k === i ? next : x)))
          }
          onRemove={() => onChange(conditions.filter((_, k) => k !== i))}
        />
      ))}
      {props.issue && <Typography color="error">{props.issue}</Typography>}
      <Button
        size="small"
        disabled={disabled}
        onClick={() =>
          onChange([
            ...conditions,
            { kind: 'header', name: 'x-user', op: 'exact', value: '' },
          ])
        }
      >
        Add a condition to {label}
      </Button>
    </Box>
  );
};
