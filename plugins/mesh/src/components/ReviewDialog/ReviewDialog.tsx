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
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import {
  ApplyResponse,
  IntentIssue,
  PlanResponse,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useEffect, useRef, useState } from 'react';

export interface ReviewDialogProps {
  intent: TrafficIntent;
  plan(
    intent: TrafficIntent,
    options: { adopt: boolean },
  ): Promise<PlanResponse>;
  apply(request: {
    intent: TrafficIntent;
    revision: string;
    adopt: boolean;
  }): Promise<ApplyResponse | { valid: false; issues: IntentIssue[] }>;
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

/** Plan, show what changes on each cluster, then apply and show the outcome per cluster. */
export const ReviewDialog = (props: ReviewDialogProps) => {
  const { intent, plan, apply, onIssues, onApplied, onReload, onClose } = props;
  const [phase, setPhase] = useState<Phase>({ kind: 'planning' });
  const [adopt, setAdopt] = useState(false);

  // Plan once per intent and adopt choice: a parent re-render (after apply, say) must not re-plan
  // over the result. Ticking adopt plans again, so the take-over is previewed object by object.
  const planRef = useRef(plan);
  planRef.current = plan;
  const onIssuesRef = useRef(onIssues);
  onIssuesRef.current = onIssues;

  useEffect(() => {
    let live = true;
    setPhase({ kind: 'planning' });
    planRef.current(intent, { adopt }).then(
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
  }, [intent, adopt]);

  const doApply = async (p: Extract<PlanResponse, { valid: true }>) => {
    setPhase({ kind: 'applying', plan: p });
    try {
      const result = await apply({ intent, revision: p.revision, adopt });
      if ('valid' in result) {
        setPhase({ kind: 'invalid', issues: result.issues });
        onIssues(result.issues);
      } else {
        setPhase({ kind: 'applied', result });
        onApplied(result);
      }
    } catch (e: any) {
      if (e?.response?.status === 409)
        setPhase({
          kind: 'stale',
          message: e.body?.error?.message ?? e.message,
        });
      else
        setPhase({
          kind: 'error',
          message: String(e?.body?.error?.message ?? e?.message ?? e),
        });
    }
  };

  const planned =
    phase.kind === 'planned' || phase.kind === 'applying'
      ? phase.plan
      : undefined;
  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-review-title"
    >
      <DialogTitle id="mesh-review-title">Review routing changes</DialogTitle>
      <DialogContent>
        {phase.kind === 'planning' && <Progress />}
        {phase.kind === 'invalid' && (
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
        )}
        {phase.kind === 'error' && (
          <Alert severity="error">{phase.message}</Alert>
        )}
        {phase.kind === 'stale' && (
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
        )}
        {planned &&
          planned.clusters.map(c => (
            <Box key={c.cluster} mb={2}>
              <Typography variant="h6">
                {c.cluster}: dry run{' '}
                {c.dryRun.ok ? 'passed' : `refused: ${c.dryRun.message}`}
              </Typography>
              {c.foreign
                .filter(
                  f => f.adoption === 'rewrite' || f.adoption === 'delete',
                )
                .map(f => (
                  <Alert
                    key={`${f.kind}/${f.namespace}/${f.name}`}
                    severity="warning"
                  >
                    {f.kind} {f.name} belongs to {f.ownerEntityRef ?? f.owner}:{' '}
                    {f.reason}.
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
                    {x.takesOverFrom
                      ? ` (taken over from ${x.takesOverFrom})`
                      : ''}
                  </Typography>
                  {x.diff && (
                    <pre
                      style={{
                        fontSize: 12,
                        overflowX: 'auto',
                        background: 'rgba(0,0,0,0.04)',
                        padding: 8,
                      }}
                    >
                      {x.diff}
                    </pre>
                  )}
                </Box>
              ))}
            </Box>
          ))}
        {planned?.blocked && (
          <Alert severity="error">
            No apply can proceed: {planned.blocked}.
          </Alert>
        )}
        {(planned?.needsAdoption || adopt) && (
          <FormControlLabel
            control={
              <Checkbox
                checked={adopt}
                onChange={e => setAdopt(e.target.checked)}
              />
            }
            label="Adopt this host's routing: rewrite and delete the objects listed above (you need the right to change their current owner)"
          />
        )}
        {phase.kind === 'applying' && <Progress />}
        {phase.kind === 'applied' && (
          <Alert severity={phase.result.ok ? 'success' : 'error'}>
            {phase.result.ok
              ? 'Applied.'
              : 'Not applied; the clusters were put back.'}
            <ul>
              {phase.result.clusters.map(c => (
                <li key={c.cluster}>
                  {c.cluster}: {c.outcome}
                  {c.message ? ` (${c.message})` : ''}
                </li>
              ))}
            </ul>
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>
          {phase.kind === 'applied' ? 'Close' : 'Cancel'}
        </Button>
        {planned && (
          <Button
            color="primary"
            variant="contained"
            disabled={
              phase.kind === 'applying' ||
              Boolean(planned.blocked) ||
              (planned.needsAdoption && !adopt)
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
