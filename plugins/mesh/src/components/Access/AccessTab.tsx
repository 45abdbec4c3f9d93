import { InfoCard, Progress } from '@backstage/core-components';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import {
  Box,
  Button,
  Chip,
  Grid,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  Access,
  AccessCaller,
  AccessRule,
  IntentIssue,
  MeshSummary,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';
import { DisabledReason } from '../fields/DisabledReason';
import { issueAt } from '../fields/intentIssues';
import { fieldId, IntentTextField } from '../fields/IntentTextField';
import { Candidate, describeCaller, sameCaller } from './accessCandidates';
import { CANDIDATE_WINDOW, useAccessCandidates } from './useAccessCandidates';

export interface AccessTabProps {
  intent: TrafficIntent;
  entity: Entity;
  entityRef: CompoundEntityRef;
  mesh: MeshSummary;
  service: string;
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

const listOf = (text: string) =>
  text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

/** The intent without its access part: everyone may call again. */
function withoutAccess(intent: TrafficIntent): TrafficIntent {
  const { access: _access, ...rest } = intent;
  return rest;
}

/** A rule as edited: its callers, and methods and paths as typed. */
interface RuleDraft {
  from: AccessCaller[];
  methods: string;
  paths: string;
}

const draftOf = (access?: Access): RuleDraft[] =>
  (access?.rules ?? []).map(r => ({
    from: r.from,
    methods: (r.methods ?? []).join(', '),
    paths: (r.paths ?? []).join(', '),
  }));

function accessOf(rules: RuleDraft[]): Access {
  return {
    rules: rules.map((r): AccessRule => {
      const methods = listOf(r.methods);
      const paths = listOf(r.paths);
      return {
        from: r.from,
        ...(methods.length ? { methods } : {}),
        ...(paths.length ? { paths } : {}),
      };
    }),
  };
}

/** What a rule may narrow its requests to, each typed as a comma list. */
const OPERATION_FIELDS = [
  { field: 'methods', label: 'Methods (optional, e.g. GET, HEAD)' },
  { field: 'paths', label: 'Paths (optional, e.g. /reviews/*)' },
] as const;

const KINDS = ['serviceAccount', 'principal', 'namespace'] as const;
type CallerKind = (typeof KINDS)[number];
const KIND_LABEL: Record<CallerKind, string> = {
  serviceAccount: 'Service account (namespace/name)',
  principal: 'Principal (another trust domain)',
  namespace: 'Every workload of a namespace',
};

/** One rule: its callers as chips, a caller added by hand, and the methods and paths it allows. */
const RuleEditor = (props: {
  index: number;
  rule: RuleDraft;
  issues: IntentIssue[];
  disabled: boolean;
  onChange(rule: RuleDraft): void;
  onRemove(): void;
}) => {
  const { index, rule, disabled } = props;
  const [kind, setKind] = useState<CallerKind>('serviceAccount');
  const [value, setValue] = useState('');
  const at = `access.rules[${index}]`;
  const issueUnder = (field: string) =>
    props.issues.find(i => i.path.startsWith(`${at}.${field}`))?.message;
  const addByHand = () => {
    const caller = { [kind]: value.trim() } as AccessCaller;
    if (!value.trim() || rule.from.some(c => sameCaller(c, caller))) return;
    props.onChange({ ...rule, from: [...rule.from, caller] });
    setValue('');
  };
  return (
    <Box mb={2} p={1} border={1} borderColor="grey.300" borderRadius={4}>
      <Typography variant="subtitle2">Rule {index + 1}: may call</Typography>
      <Box my={1}>
        {rule.from.length === 0 && (
          <Typography color="textSecondary" variant="body2">
            No caller yet: pick one below or add one by hand.
          </Typography>
        )}
        {rule.from.map(c => (
          <Chip
            key={describeCaller(c)}
            label={describeCaller(c)}
            onDelete={
              disabled
                ? undefined
                : () =>
                    props.onChange({
                      ...rule,
                      from: rule.from.filter(k => !sameCaller(k, c)),
                    })
            }
            style={{ margin: 2 }}
          />
        ))}
      </Box>
      {issueUnder('from') && (
        <Alert severity="error">{issueUnder('from')}</Alert>
      )}
      <Grid container spacing={1} alignItems="center">
        <Grid item>
          <TextField
            select
            id={fieldId(`rule ${index + 1} caller kind`)}
            label="Add by hand"
            value={kind}
            disabled={disabled}
            onChange={e => setKind(e.target.value as CallerKind)}
            margin="dense"
          >
            {KINDS.map(k => (
              <MenuItem key={k} value={k}>
                {KIND_LABEL[k]}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid item>
          <TextField
            id={fieldId(`rule ${index + 1} caller`)}
            label="Caller"
            value={value}
            disabled={disabled}
            onChange={e => setValue(e.target.value)}
            margin="dense"
          />
        </Grid>
        <Grid item>
          <Button disabled={disabled || !value.trim()} onClick={addByHand}>
            Add caller
          </Button>
        </Grid>
      </Grid>
      <Grid container spacing={1}>
        {OPERATION_FIELDS.map(({ field, label }) => (
          <Grid item xs={6} key={field}>
            <IntentTextField
              id={fieldId(`rule ${index + 1} ${field}`)}
              label={label}
              value={rule[field]}
              disabled={disabled}
              fullWidth
              issue={issueUnder(field)}
              onChange={e =>
                props.onChange({ ...rule, [field]: e.target.value })
              }
            />
          </Grid>
        ))}
      </Grid>
      <Button size="small" disabled={disabled} onClick={props.onRemove}>
        Remove rule {index + 1}
      </Button>
    </Box>
  );
};

/** A principal-based rule admits only calls over mutual TLS: say where callers are not yet on it. */
const MTLS_LABEL = {
  all: 'yes',
  partly: 'partly: the rest would be denied',
  none: 'no: would be denied',
  unseen: '',
} as const;

/** The services a person may let in: seen calling, declared by the catalog, or both. */
const CandidateTable = (props: {
  candidates: Candidate[];
  admitted(c: Candidate): boolean;
  disabled: boolean;
  onAllow(c: Candidate): void;
}) => (
  <Table size="small" aria-label="Callers to pick from">
    <TableHead>
      <TableRow>
        <TableCell>Caller</TableCell>
        <TableCell>Seen (req/s)</TableCell>
        <TableCell>Mutual TLS</TableCell>
        <TableCell>Catalog</TableCell>
        <TableCell>Identity</TableCell>
        <TableCell />
      </TableRow>
    </TableHead>
    <TableBody>
      {props.candidates.map(c => (
        <TableRow key={c.key}>
          <TableCell>{c.key}</TableCell>
          <TableCell>
            {c.requestRate === undefined
              ? 'not seen'
              : c.requestRate.toFixed(2)}
          </TableCell>
          <TableCell>{MTLS_LABEL[c.mtls ?? 'unseen']}</TableCell>
          <TableCell>{c.declared ? 'declared' : 'not declared'}</TableCell>
          <TableCell>
            {c.callers.map(describeCaller).join(', ')}
            {c.problem && (
              <Typography variant="body2" color="error">
                {c.problem}
              </Typography>
            )}
          </TableCell>
          <TableCell>
            <Button
              size="small"
              color="primary"
              aria-label={`Allow ${c.key}`}
              disabled={
                props.disabled || !c.callers.length || props.admitted(c)
              }
              onClick={() => props.onAllow(c)}
            >
              {props.admitted(c) ? 'Allowed' : 'Allow'}
            </Button>
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

/**
 * Who may call the service: the access part of its intent, written as an AuthorizationPolicy on
 * every config cluster. Callers are picked from those seen calling and those the catalog
 * declares, or added by hand; Review previews whom the policy would turn away.
 */
export const AccessTab = (props: AccessTabProps) => {
  const { intent, disabledReason } = props;
  const disabled = Boolean(disabledReason);
  const issues = props.issues ?? [];
  const [rules, setRules] = useState<RuleDraft[]>(() => draftOf(intent.access));
  const candidates = useAccessCandidates(
    props.entity,
    props.entityRef,
    props.mesh,
  );
  const admitted = (c: Candidate) =>
    c.callers.every(k => rules.some(r => r.from.some(f => sameCaller(f, k))));
  const allow = (c: Candidate) =>
    setRules(current => {
      const [first, ...rest] = current.length
        ? current
        : [{ from: [], methods: '', paths: '' }];
      const from = [...first.from];
      for (const k of c.callers)
        if (!from.some(f => sameCaller(f, k))) from.push(k);
      return [{ ...first, from }, ...rest];
    });
  const accessIssue = issueAt(issues, 'access');
  const title = `Who may call ${props.service}`;
  return (
    <section aria-label={title}>
      <InfoCard title={title}>
        <DisabledReason reason={disabledReason} />
        {intent.access ? (
          <Typography paragraph>
            An AuthorizationPolicy (ALLOW) on {props.service}'s workloads admits
            only the callers below, on every config cluster (
            {props.mesh.configClusters.join(', ')}); every other caller is
            answered 403.
          </Typography>
        ) : (
          <Typography paragraph>
            Every caller may call {props.service} now: it has no access policy
            of its own. Add a rule to admit only the callers you name.
          </Typography>
        )}
        {accessIssue && <Alert severity="error">{accessIssue}</Alert>}
        {rules.map((rule, i) => (
          <RuleEditor
            key={i}
            index={i}
            rule={rule}
            issues={issues}
            disabled={disabled}
            onChange={r => setRules(rules.map((x, j) => (j === i ? r : x)))}
            onRemove={() => setRules(rules.filter((_, j) => j !== i))}
          />
        ))}
        <Button
          disabled={disabled}
          onClick={() =>
            setRules([...rules, { from: [], methods: '', paths: '' }])
          }
        >
          Add rule
        </Button>
        <Box mt={2}>
          <Typography variant="h6">
            Callers seen over the last {CANDIDATE_WINDOW} or declared in the
            catalog
          </Typography>
          {candidates.loading && <Progress />}
          {candidates.error && (
            <Alert severity="warning">
              Callers to pick from cannot be read: {candidates.error.message}
            </Alert>
          )}
          {candidates.value?.notes.map(n => (
            <Alert key={n} severity="info">
              {n}
            </Alert>
          ))}
          {candidates.value && (
            <CandidateTable
              candidates={candidates.value.candidates}
              admitted={admitted}
              disabled={disabled}
              onAllow={allow}
            />
          )}
        </Box>
        <Box mt={2} display="flex" style={{ gap: 8 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={disabled || !rules.length}
            onClick={() =>
              props.onReview({ ...intent, access: accessOf(rules) })
            }
          >
            Review
          </Button>
          {intent.access && (
            <Button
              variant="outlined"
              disabled={disabled}
              onClick={() => props.onReview(withoutAccess(intent))}
            >
              Remove the access policy
            </Button>
          )}
        </Box>
      </InfoCard>
    </section>
  );
};
