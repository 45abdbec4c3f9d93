import { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { Box, Button, Grid, Typography } from '@material-ui/core';
import {
  analysisLimits,
  CANARY_TESTERS_ROUTE,
  Expires,
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
import {
  AnalysisDraft,
  AnalysisFields,
  analysisFromDraft,
  DEFAULT_ANALYSIS,
} from './AnalysisFields';
import { AnalysisPanel } from './AnalysisPanel';

export interface CanaryTabProps {
  intent: TrafficIntent;
  versions: string[];
  disabledReason?: string;
  issues?: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
  /** The entity, for its canary analysis; without it the analysis panel is not shown. */
  entity?: CompoundEntityRef;
  /** The analysis changed the routing: load it again. */
  onRoutingChanged?(): void;
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

type Common = {
  intent: TrafficIntent;
  versions: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onReview(intent: TrafficIntent, expires?: Expires): void;
};

/** A running canary: where it stands, and Advance, Promote, Abort. */
const RunningCanary = ({ intent, disabled, onReview }: Common) => {
  const canary = intent.canary!;
  const move = (action: 'advance' | 'promote' | 'abort') =>
    onReview(withCanary(intent, { action }));
  return (
    <Box mb={2}>
      <Typography variant="subtitle1">
        {canary.step === 0
          ? 'Not started'
          : `Step ${canary.step} of ${canary.steps.length}`}
        : {canary.candidate} gets{' '}
        {canary.step === 0 ? 0 : canary.steps[canary.step - 1]}% (baseline{' '}
        {canary.baseline})
      </Typography>
      {canary.auto && canary.analysis && (
        <Typography variant="body2" gutterBottom>
          Automatic: every {canary.analysis.interval} each cluster is judged;
          all passing advances it, {canary.analysis.failureLimit} failed
          interval(s) abort it. A candidate routed but not ready is a failed
          check. It is also aborted after{' '}
          {analysisLimits(canary.analysis).inconclusiveLimit} intervals in a row
          too quiet to judge, after {analysisLimits(canary.analysis).errorLimit}{' '}
          in a row without metrics, or when a step has not passed within{' '}
          {Math.round(
            analysisLimits(canary.analysis).progressDeadlineMs / 1000,
          )}
          s. You can still move it yourself.
        </Typography>
      )}
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
  );
};

const VersionField = (props: {
  label: string;
  value: string;
  path: string;
  versions: string[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(v: string): void;
}) => (
  <Grid item xs={6}>
    <VersionSelect
      label={props.label}
      value={props.value}
      versions={props.versions}
      disabled={props.disabled}
      issue={issueAt(props.issues, props.path)}
      onChange={props.onChange}
    />
  </Grid>
);

const StepsField = (props: {
  text: string;
  steps?: number[];
  disabled: boolean;
  issues: IntentIssue[];
  onChange(text: string): void;
}) => (
  <IntentTextField
    label="Steps (percent to the candidate)"
    value={props.text}
    fullWidth
    disabled={props.disabled}
    onChange={e => props.onChange(e.target.value)}
    issue={
      props.steps
        ? issueAt(props.issues, 'canary.steps', { under: true }) ??
          issueAt(props.issues, 'split')
        : 'whole numbers separated by commas, e.g. 5, 25, 50, 100'
    }
  />
);

/** What the new-canary form holds, and the intent it starts. */
function useNewCanaryDraft(intent: TrafficIntent, versions: string[]) {
  const baselineDefault = mainVersion(intent) ?? versions[0];
  const [baseline, setBaseline] = useState(baselineDefault);
  const [candidate, setCandidate] = useState(
    versions.find(v => v !== baselineDefault) ?? '',
  );
  const [stepsText, setStepsText] = useState('5, 25, 50, 100');
  const [analysis, setAnalysis] = useState<AnalysisDraft>(DEFAULT_ANALYSIS);
  const [testers, setTesters] = useState<RuleDraft>(() =>
    draftFromRule(ruleOf(routeNamed(intent, CANARY_TESTERS_ROUTE)), {
      kind: 'none',
      name: 'x-canary',
      value: 'always',
    }),
  );
  const steps = parseSteps(stepsText);
  const started = () =>
    steps &&
    withCanary(intent, {
      action: 'start',
      baseline,
      candidate,
      steps,
      testers: ruleFromDraft(testers),
      ...analysisFromDraft(analysis),
    });
  return {
    baseline,
    setBaseline,
    candidate,
    setCandidate,
    stepsText,
    setStepsText,
    steps,
    analysis,
    setAnalysis,
    testers,
    setTesters,
    started,
  };
}

/** A new canary: baseline, candidate, steps, an optional testers rule and analysis. */
const NewCanary = ({
  intent,
  versions,
  disabled,
  issues,
  onReview,
}: Common) => {
  const draft = useNewCanaryDraft(intent, versions);
  const start = () => {
    const next = draft.started();
    if (next) onReview(next);
  };
  return (
    <>
      <Grid container spacing={2}>
        <VersionField
          label="Baseline"
          value={draft.baseline}
          path="canary.baseline"
          onChange={draft.setBaseline}
          {...{ versions, disabled, issues }}
        />
        <VersionField
          label="Candidate"
          value={draft.candidate}
          path="canary.candidate"
          onChange={draft.setCandidate}
          {...{ versions, disabled, issues }}
        />
      </Grid>
      <StepsField
        text={draft.stepsText}
        steps={draft.steps}
        disabled={disabled}
        issues={issues}
        onChange={draft.setStepsText}
      />
      <RequestRuleFields
        title="Testers"
        noneLabel="No testers rule"
        draft={draft.testers}
        disabled={disabled}
        issue={issueAt(issues, `routes[0].match`, { under: true })}
        onChange={draft.setTesters}
      />
      <AnalysisFields
        draft={draft.analysis}
        disabled={disabled}
        issues={issues}
        onChange={draft.setAnalysis}
      />
      <Box mt={2}>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled || !draft.steps || !draft.candidate}
          onClick={start}
        >
          Start canary
        </Button>
      </Box>
    </>
  );
};

/** Mirroring: a version and the share of live traffic copied to it. */
const Mirroring = ({
  intent,
  versions,
  disabled,
  issues,
  onReview,
}: Common) => {
  const [mirrorVersion, setMirrorVersion] = useState(
    intent.mirror?.version ?? '',
  );
  const [mirrorPercent, setMirrorPercent] = useState(
    String(intent.mirror?.percent ?? 10),
  );
  const [endsAfter, setEndsAfter] = useState('');
  const mirror = mirrorVersion
    ? {
        version: mirrorVersion,
        percent: numberOrUndefined(mirrorPercent) ?? NaN,
      }
    : null;
  const ends = mirror ? endsAfter.trim() : '';
  return (
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
      <IntentTextField
        label="Ends by itself after (optional)"
        fullWidth
        value={endsAfter}
        disabled={disabled || !mirrorVersion}
        helperText="e.g. 30m: mirroring is removed then, on every cluster"
        onChange={e => setEndsAfter(e.target.value)}
        issue={
          issueAt(issues, 'expires.mirror.for') ??
          issueAt(issues, 'expires.mirror')
        }
      />
      <Box mt={2}>
        <Button
          variant="contained"
          color="primary"
          disabled={disabled}
          onClick={() =>
            ends
              ? onReview(withMirror(intent, mirror), {
                  mirror: { for: ends },
                })
              : onReview(withMirror(intent, mirror))
          }
        >
          Review mirror
        </Button>
      </Box>
    </InfoCard>
  );
};

/** A first-class canary (steps, Advance, Promote, Abort, a testers rule) and traffic mirroring. */
export const CanaryTab = ({
  intent,
  versions,
  disabledReason,
  issues = [],
  onReview,
  entity,
  onRoutingChanged = () => {},
}: CanaryTabProps) => {
  const common: Common = {
    intent,
    versions,
    disabled: Boolean(disabledReason),
    issues,
    onReview,
  };
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={7}>
        <InfoCard
          title="Canary"
          subheader="Move traffic from a baseline to a candidate in steps; testers can reach the candidate first."
        >
          <DisabledReason reason={disabledReason} />
          {intent.canary ? (
            <RunningCanary {...common} />
          ) : (
            <NewCanary {...common} />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={5}>
        <Mirroring {...common} />
      </Grid>
      {entity && (
        <Grid item xs={12}>
          <AnalysisPanel entity={entity} onRoutingChanged={onRoutingChanged} />
        </Grid>
      )}
    </Grid>
  );
};
