import { Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Tab,
  Tabs,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  ApplyResponse,
  IntentIssue,
  PlanResponse,
  Expires,
  RolloutRequest,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useEffect, useRef, useState } from 'react';
import { AccessPreviewView, confirmationFor } from './AccessPreviewView';
import { PlanYamlView } from './PlanYamlView';
import { defaultRolloutDraft, RolloutChoice, rolloutOf } from './RolloutChoice';

export interface ReviewDialogProps {
  intent: TrafficIntent;
  /** When risky parts of the intent end by themselves, if the tab said. */
  expires?: Expires;
  /** Names the downloaded YAML files. */
  service?: string;
  plan(
    intent: TrafficIntent,
    options: { adopt: boolean; expires?: Expires },
  ): Promise<PlanResponse>;
  apply(request: {
    intent: TrafficIntent;
    expires?: Expires;
    revision: string;
    adopt: boolean;
    rollout?: RolloutRequest;
    confirmDenied?: string[];
  }): Promise<ApplyResponse | { valid: false; issues: IntentIssue[] }>;
  /** The mesh's config clusters: with two or more, the change may be rolled out in waves. */
  configClusters?: string[];
  onIssues(issues: IntentIssue[]): void;
  onApplied(result: ApplyResponse): void;
  onReload(): void;
  onClose(): void;
}

type Phase =
  | { kind: 'planning' }
  | { kind: 'planned'; plan: Extract<PlanResponse, { valid: true }> }
  | { kind: 'invalid'; issues: IntentIssue[] }
  | { kind: 'applying'; plan: Extract<PlanResponse, { valid: true }> }
  | { kind: 'applied'; result: ApplyResponse }
  | { kind: 'stale'; message: string }
  | { kind: 'error'; message: string };

type Planned = Extract<PlanResponse, { valid: true }>;

/**
 * Plans once per intent and adopt choice: a parent re-render (after apply, say) must not re-plan
 * over the result. Ticking adopt plans again, so the take-over is previewed object by object.
 */
function usePlanPhase(
  intent: TrafficIntent,
  expires: Expires | undefined,
  adopt: boolean,
  plan: ReviewDialogProps['plan'],
  onIssues: ReviewDialogProps['onIssues'],
) {
  const [phase, setPhase] = useState<Phase>({ kind: 'planning' });
  const planRef = useRef(plan);
  planRef.current = plan;
  const onIssuesRef = useRef(onIssues);
  onIssuesRef.current = onIssues;
  useEffect(() => {
    let live = true;
    setPhase({ kind: 'planning' });
    planRef.current(intent, { adopt, ...(expires ? { expires } : {}) }).then(
      p => {
        if (!live) return;
        if (p.valid) {
          setPhase({ kind: 'planned', plan: p });
        } else {
          setPhase({ kind: 'invalid', issues: p.issues });
          onIssuesRef.current(p.issues);
        }
      },
      e => live && setPhase({ kind: 'error', message: String(e.message ?? e) }),
    );
    return () => {
      live = false;
    };
  }, [intent, expires, adopt]);
  return [phase, setPhase] as const;
}

/** What an apply came to, as a phase: applied (or put back), invalid, stale (409) or an error. */
async function applyPhase(
  props: ReviewDialogProps,
  p: Planned,
  adopt: boolean,
  rollout?: RolloutRequest,
): Promise<Phase> {
  try {
    const result = await props.apply({
      intent: props.intent,
      ...(props.expires ? { expires: props.expires } : {}),
      revision: p.revision,
      adopt,
      ...(rollout ? { rollout } : {}),
      ...(confirmationFor(p.access)
        ? { confirmDenied: confirmationFor(p.access) }
        : {}),
    });
    if ('valid' in result) {
      props.onIssues(result.issues);
      return { kind: 'invalid', issues: result.issues };
    }
    props.onApplied(result);
    return { kind: 'applied', result };
  } catch (e: any) {
    const message = String(e?.body?.error?.message ?? e?.message ?? e);
    return e?.response?.status === 409
      ? { kind: 'stale', message }
      : { kind: 'error', message };
  }
}

const diffStyle = {
  fontSize: 12,
  overflowX: 'auto',
  background: 'rgba(0,0,0,0.04)',
  padding: 8,
} as const;

/** One cluster's plan: the dry run's verdict, foreign and drifted objects, each change with its diff. */
const ClusterPlanView = ({ c }: { c: Planned['clusters'][number] }) => (
  <Box mb={2}>
    <Typography variant="h6">
      {c.cluster}: dry run{' '}
      {c.dryRun.ok ? 'passed' : `refused: ${c.dryRun.message}`}
    </Typography>
    {c.foreign
      .filter(f => f.adoption === 'rewrite' || f.adoption === 'delete')
      .map(f => (
        <Alert key={`${f.kind}/${f.namespace}/${f.name}`} severity="warning">
          {f.kind} {f.name} belongs to {f.ownerEntityRef ?? f.owner}: {f.reason}
          .
        </Alert>
      ))}
    {c.kept.map(f => (
      <Alert
        key={`${f.kind}/${f.namespace}/${f.name}`}
        severity={f.adoption === 'blocked' ? 'error' : 'warning'}
      >
        {f.reason}.
      </Alert>
    ))}
    {c.drifted.map(f => (
      <Alert key={`${f.kind}/${f.name}`} severity="info">
        {f.kind} {f.name} was edited since it was applied: {f.reason}
      </Alert>
    ))}
    {c.changes.map(x => (
      <Box key={`${x.kind}/${x.namespace ?? ''}/${x.name}`}>
        <Typography variant="subtitle2">
          {x.kind} {x.name}: {x.action}
          {x.takesOverFrom ? ` (taken over from ${x.takesOverFrom})` : ''}
        </Typography>
        {x.diff && <pre style={diffStyle}>{x.diff}</pre>}
      </Box>
    ))}
  </Box>
);

/** The plan: per cluster its changes with diffs, or the YAML; what blocks it; the adopt choice. */
const PlannedView = (props: {
  planned: Planned;
  service: string;
  adopt: boolean;
  onAdopt(adopt: boolean): void;
  accessConfirmed: boolean;
  onConfirmAccess(confirmed: boolean): void;
}) => {
  const { planned, adopt } = props;
  const [view, setView] = useState<'changes' | 'yaml'>('changes');
  return (
    <>
      {/* Who the change turns away comes first: it is what a person must weigh before the diffs. */}
      {planned.access && (
        <AccessPreviewView
          preview={planned.access}
          confirmed={props.accessConfirmed}
          onConfirm={props.onConfirmAccess}
        />
      )}
      <Tabs
        value={view}
        onChange={(_, v) => setView(v)}
        aria-label="Plan view"
        indicatorColor="primary"
      >
        <Tab label="Changes" value="changes" />
        <Tab label="YAML" value="yaml" />
      </Tabs>
      {view === 'changes' &&
        planned.clusters.map(c => <ClusterPlanView key={c.cluster} c={c} />)}
      {view === 'yaml' && (
        <PlanYamlView clusters={planned.clusters} service={props.service} />
      )}
      {planned.blocked && (
        <Alert severity="error">No apply can proceed: {planned.blocked}.</Alert>
      )}
      {(planned.needsAdoption || adopt) && (
        <FormControlLabel
          control={
            <Checkbox
              checked={adopt}
              onChange={e => props.onAdopt(e.target.checked)}
            />
          }
          label="Adopt this host's routing: rewrite and delete the objects listed above (you need the right to change their current owner)"
        />
      )}
    </>
  );
};

/** The phases that end in a message: planning, invalid, error, stale (with reload), applying. */
const PhaseMessage = ({
  phase,
  onReload,
}: {
  phase: Phase;
  onReload(): void;
}) => {
  switch (phase.kind) {
    case 'planning':
    case 'applying':
      return <Progress />;
    case 'invalid':
      return (
        <Alert severity="error">
          The intent is invalid:
          <ul>
            {phase.issues.map(i => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path || 'intent'}</code>: {i.message}
              </li>
            ))}
          </ul>
        </Alert>
      );
    case 'error':
      return <Alert severity="error">{phase.message}</Alert>;
    case 'stale':
      return (
        <Alert
          severity="warning"
          action={
            <Button color="inherit" onClick={onReload}>
              Reload and re-plan
            </Button>
          }
        >
          The routing changed since you loaded it; nothing was applied.{' '}
          {phase.message}
        </Alert>
      );
    default:
      return null;
  }
};

/** The outcome per cluster; a failed undo is said plainly, since the clusters then disagree. */
const AppliedOutcome = ({ result }: { result: ApplyResponse }) => {
  const stranded = result.clusters.some(c => c.outcome === 'restore-failed');
  let summary = result.rolloutId
    ? `Wave 1 applied (rollout #${result.rolloutId}); the next waves follow after the bake, as the Overview shows.`
    : 'Applied.';
  if (!result.ok) {
    summary = stranded
      ? 'Not applied, and some clusters could not be put back; the Mesh tab shows what each holds and offers to finish or undo.'
      : 'Not applied; the clusters were put back.';
  }
  return (
    <Alert severity={result.ok ? 'success' : 'error'}>
      {summary}
      <ul>
        {result.clusters.map(c => (
          <li key={c.cluster}>
            {c.cluster}: {c.outcome}
            {c.message ? ` (${c.message})` : ''}
          </li>
        ))}
      </ul>
    </Alert>
  );
};

/** Plan, show what changes on each cluster, then apply and show the outcome per cluster. */
export const ReviewDialog = (props: ReviewDialogProps) => {
  const [adopt, setAdopt] = useState(false);
  const [accessConfirmed, setAccessConfirmed] = useState(false);
  const clusters = props.configClusters ?? [];
  const [rollout, setRollout] = useState(() => defaultRolloutDraft(clusters));
  const [phase, setPhase] = usePlanPhase(
    props.intent,
    props.expires,
    adopt,
    props.plan,
    props.onIssues,
  );
  const planned =
    phase.kind === 'planned' || phase.kind === 'applying'
      ? phase.plan
      : undefined;
  const doApply = async (p: Planned) => {
    setPhase({ kind: 'applying', plan: p });
    setPhase(await applyPhase(props, p, adopt, rolloutOf(rollout, clusters)));
  };
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-review-title"
    >
      <DialogTitle id="mesh-review-title">Review routing changes</DialogTitle>
      <DialogContent>
        {phase.kind !== 'applying' && (
          <PhaseMessage phase={phase} onReload={props.onReload} />
        )}
        {planned && (
          <PlannedView
            planned={planned}
            service={props.service ?? 'routing'}
            adopt={adopt}
            onAdopt={setAdopt}
            accessConfirmed={accessConfirmed}
            onConfirmAccess={setAccessConfirmed}
          />
        )}
        {phase.kind === 'planned' && (
          <RolloutChoice
            clusters={clusters}
            draft={rollout}
            onChange={setRollout}
          />
        )}
        {phase.kind === 'applying' && <Progress />}
        {phase.kind === 'applied' && <AppliedOutcome result={phase.result} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>
          {phase.kind === 'applied' ? 'Close' : 'Cancel'}
        </Button>
        {planned && (
          <Button
            color="primary"
            variant="contained"
            disabled={
              phase.kind === 'applying' ||
              Boolean(planned.blocked) ||
              (planned.needsAdoption && !adopt) ||
              (Boolean(confirmationFor(planned.access)) && !accessConfirmed)
            }
            onClick={() => doApply(planned)}
          >
            Apply
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
};
