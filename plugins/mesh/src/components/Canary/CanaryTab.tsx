import { InfoCard } from '@backstage/core-components';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import {
  CANARY_TESTERS_ROUTE,
  IntentIssue,
  routeNamed,
  ruleOf,
  TrafficIntent,
  withCanary,
  withMirror,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';
import { SplitBar } from '../Overview/SplitBar';
import { issueAt } from '../fields/intentIssues';
import { IntentTextField, numberOrUndefined } from '../fields/IntentTextField';
import {
  draftFromRule,
  RequestRuleFields,
  RuleDraft,
  ruleFromDraft,
} from '../fields/RequestRuleFields';
import { VersionSelect } from '../fields/VersionSelect';
import { DisabledReason } from '../fields/DisabledReason';

export interface CanaryTabProps {
  intent: TrafficIntent;
  versions: string[];
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent): void;
}

/** Steps as people type them: "5, 25, 50, 100". */
function parseSteps(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const steps = parts.map(Number);
  return parts.length && steps.every(Number.isInteger) ? steps : undefined;
}

/** The version most of the traffic goes to now: the natural baseline. */
const mainVersion = (intent: TrafficIntent) =>
  [...intent.split].sort((a, b) => b.weight - a.weight)[0]?.version;

/** A first-class canary (steps, Advance, Promote, Abort, a testers rule) and traffic mirroring. */
export const CanaryTab = ({
  intent,
  versions,
  disabledReason,
  issues = [],
  onReview,
}: CanaryTabProps) => {
  const disabled = Boolean(disabledReason);
  const canary = intent.canary;
  const baselineDefault =
    canary?.baseline ?? mainVersion(intent) ?? versions[0];
  const [baseline, setBaseline] = useState(baselineDefault);
  const [candidate, setCandidate] = useState(
    canary?.candidate ?? versions.find(v => v !== baselineDefault) ?? '',
  );
  const [stepsText, setStepsText] = useState(
    (canary?.steps ?? [5, 25, 50, 100]).join(', '),
  );
  const [testers, setTesters] = useState<RuleDraft>(() =>
    draftFromRule(ruleOf(routeNamed(intent, CANARY_TESTERS_ROUTE)), {
      kind: 'none',
      name: 'x-canary',
      value: 'always',
    }),
  );
  const [mirrorVersion, setMirrorVersion] = useState(
    intent.mirror?.version ?? '',
  );
  const [mirrorPercent, setMirrorPercent] = useState(
    String(intent.mirror?.percent ?? 10),
  );
  const steps = parseSteps(stepsText);

  const start = () =>
    steps &&
    onReview(
      withCanary(intent, {
        action: 'start',
        baseline,
        candidate,
        steps,
        testers: ruleFromDraft(testers),
      }),
    );
  const move = (action: 'advance' | 'promote' | 'abort') =>
    onReview(withCanary(intent, { action }));
  const reviewMirror = () =>
    onReview(
      withMirror(
        intent,
        mirrorVersion
          ? {
              version: mirrorVersion,
              percent: numberOrUndefined(mirrorPercent) ?? NaN,
            }
          : null,
      ),
    );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={7}>
        <InfoCard
          title="Canary"
          subheader="Move traffic from a baseline to a candidate in steps; testers can reach the candidate first."
        >
          <DisabledReason reason={disabledReason} />
          {canary && (
            <Box mb={2}>
              <Typography variant="subtitle1">
                {canary.step === 0
                  ? 'Not started'
                  : `Step ${canary.step} of ${canary.steps.length}`}
                : {canary.candidate} gets{' '}
                {canary.step === 0 ? 0 : canary.steps[canary.step - 1]}%
                (baseline {canary.baseline})
              </Typography>
              <SplitBar split={intent.split} />
              <Box display="flex" mt={2} style={{ gap: 8 }}>
                <Button
                  variant="contained"
                  color="primary"
                  disabled={disabled || canary.step >= canary.steps.length}
                  onClick={() => move('advance')}
                >
                  Advance
                </Button>
                <Button
                  variant="outlined"
                  color="primary"
                  disabled={disabled}
                  onClick={() => move('promote')}
                >
                  Promote
                </Button>
                <Button
                  variant="outlined"
                  disabled={disabled}
                  onClick={() => move('abort')}
                >
                  Abort
                </Button>
              </Box>
            </Box>
          )}
          {!canary && (
            <>
              <Grid container spacing={2}>
                <Grid item xs={6}>
                  <VersionSelect
                    label="Baseline"
                    value={baseline}
                    versions={versions}
                    disabled={disabled}
                    issue={issueAt(issues, 'canary.baseline')}
                    onChange={setBaseline}
                  />
                </Grid>
                <Grid item xs={6}>
                  <VersionSelect
                    label="Candidate"
                    value={candidate}
                    versions={versions}
                    disabled={disabled}
                    issue={issueAt(issues, 'canary.candidate')}
                    onChange={setCandidate}
                  />
                </Grid>
              </Grid>
              <IntentTextField
                label="Steps (percent to the candidate)"
                value={stepsText}
                fullWidth
                disabled={disabled}
                onChange={e => setStepsText(e.target.value)}
                issue={
                  steps
                    ? issueAt(issues, 'canary.steps', { under: true }) ??
                      issueAt(issues, 'split')
                    : 'whole numbers separated by commas, e.g. 5, 25, 50, 100'
                }
              />
              <RequestRuleFields
                title="Testers"
                noneLabel="No testers rule"
                draft={testers}
                disabled={disabled}
                issue={issueAt(issues, `routes[0].match`, { under: true })}
                onChange={setTesters}
              />
              <Box mt={2}>
                <Button
                  variant="contained"
                  color="primary"
                  disabled={disabled || !steps || !candidate}
                  onClick={start}
                >
                  Start canary
                </Button>
              </Box>
            </>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard
          title="Mirroring"
          subheader="Copy a share of live traffic to a version; its responses are discarded."
        >
          <VersionSelect
            label="Mirror to"
            value={mirrorVersion}
            versions={versions}
            noneLabel="No mirror"
            disabled={disabled}
            issue={issueAt(issues, 'mirror.version')}
            onChange={setMirrorVersion}
          />
          <IntentTextField
            label="Mirrored percent"
            type="number"
            fullWidth
            value={mirrorPercent}
            disabled={disabled || !mirrorVersion}
            inputProps={{ min: 0, max: 100 }}
            onChange={e => setMirrorPercent(e.target.value)}
            issue={issueAt(issues, 'mirror.percent')}
          />
          <Box mt={2}>
            <Button
              variant="contained"
              color="primary"
              disabled={disabled}
              onClick={reviewMirror}
            >
              Review mirror
            </Button>
          </Box>
        </InfoCard>
      </Grid>
    </Grid>
  );
};
