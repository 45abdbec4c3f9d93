import { inProgress } from '../Rollout/RolloutCard';
import { Box, Button, Grid } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import {
  canonicalJson,
  ClusterHolds,
  EntityMeshState,
  intentSummary,
  TrafficIntent,
  UnfinishedChange,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { useState } from 'react';
import { ConfirmDialog } from '../fields/ConfirmDialog';

const HOLDS: Record<ClusterHolds, string> = {
  intended: 'the intended change',
  before: 'what it held before',
  other: 'something else',
  unknown: 'nothing readable (unreachable)',
};

const summarize = (intent?: TrafficIntent) =>
  intent ? intentSummary(intent) : 'no routing of this entity';

export interface UnfinishedChangeNoticeProps {
  state: EntityMeshState;
  disabledReason?: string;
  /** Opens the normal review for an intent: finish reviews the intended one, undo the one before. */
  onReview(intent: TrafficIntent): void;
  /** Undo of a change that started from no routing: remove this entity's objects. */
  onRemove(): void;
}

const ConfirmRemoval = (props: {
  open: boolean;
  state: EntityMeshState;
  historyId: number;
  onCancel(): void;
  onConfirm(): void;
}) => (
  <ConfirmDialog
    id="undo-removal-title"
    title="Remove this service’s routing?"
    confirmLabel="Remove"
    {...props}
  >
    Before change #{props.historyId} this entity had no routing for{' '}
    {props.state.target.host}. Undoing it removes this entity’s VirtualService
    and DestinationRule from{' '}
    {props.state.clusters
      .filter(c => c.isConfigCluster)
      .map(c => c.cluster)
      .join(', ')}{' '}
    (VirtualService first); other routing stays.
  </ConfirmDialog>
);

const UnfinishedChangeBanner = ({
  state,
  change,
  disabledReason,
  onReview,
  onRemove,
}: UnfinishedChangeNoticeProps & { change: UnfinishedChange }) => {
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const interrupted = change.state !== 'restore-failed';
  const undoIsRemoval = !change.intentBefore;
  const disabled = Boolean(disabledReason);
  return (
    <Grid item xs={12}>
      <Alert severity="error" role="alert" aria-label="Unfinished change">
        <AlertTitle>
          {interrupted
            ? 'A change was interrupted'
            : 'A change failed and could not be put back'}{' '}
          (history #{change.historyId})
        </AlertTitle>
        {change.actor}{' '}
        {change.action === 'remove'
          ? 'removed the routing'
          : `set ${summarize(change.intentAfter)}`}{' '}
        on {new Date(change.createdAt).toLocaleString()};
        {interrupted
          ? ' the backend applying it stopped midway.'
          : ' a cluster failed, and putting the others back failed too.'}{' '}
        Now:{' '}
        {change.clusters
          .map(c => `${c.cluster} holds ${HOLDS[c.holds]}`)
          .join('; ')}
        . Finish applies the intended change everywhere; undo restores{' '}
        {summarize(change.intentBefore)}. Either opens the review first.
        <Box mt={1} display="flex" style={{ gap: 8 }}>
          {change.intentAfter && (
            <Button
              variant="contained"
              color="primary"
              size="small"
              disabled={disabled}
              onClick={() => onReview(change.intentAfter!)}
            >
              Finish
            </Button>
          )}
          <Button
            variant="outlined"
            size="small"
            disabled={disabled}
            onClick={() =>
              undoIsRemoval
                ? setConfirmingRemoval(true)
                : onReview(change.intentBefore!)
            }
          >
            {undoIsRemoval ? 'Undo (remove routing)' : 'Undo'}
          </Button>
        </Box>
      </Alert>
      <ConfirmRemoval
        open={confirmingRemoval}
        state={state}
        historyId={change.historyId}
        onCancel={() => setConfirmingRemoval(false)}
        onConfirm={() => {
          setConfirmingRemoval(false);
          onRemove();
        }}
      />
    </Grid>
  );
};

const DisagreementNotice = ({ state }: { state: EntityMeshState }) => {
  const config = state.clusters.filter(c => c.isConfigCluster && c.reachable);
  const lastApplied = state.lastApplied?.intent;
  const inLine =
    lastApplied &&
    config.every(
      c => c.intent && canonicalJson(c.intent) === canonicalJson(lastApplied),
    );
  return (
    <Grid item xs={12}>
      <Alert severity="warning" aria-label="Clusters disagree">
        The config clusters do not hold the same routing:{' '}
        {config
          .map(
            c =>
              `${c.cluster}: ${
                c.intent
                  ? summarize(c.intent)
                  : 'none of this entity, or edited by hand'
              }`,
          )
          .join('; ')}
        .
        {lastApplied &&
          ` Editing starts from the last change applied everywhere (${summarize(
            lastApplied,
          )})${
            inLine ? '' : '; applying it brings every cluster back in line'
          }.`}
      </Alert>
    </Grid>
  );
};

/**
 * A change that did not finish cleanly (its writer died, or its undo failed too), and config
 * clusters that disagree: nobody should edit over that without knowing. Finish and undo go
 * through the normal plan, review and apply.
 */
export const UnfinishedChangeNotice = (props: UnfinishedChangeNoticeProps) => {
  if (props.state.unfinished)
    return (
      <UnfinishedChangeBanner {...props} change={props.state.unfinished} />
    );
  // During a rollout the clusters differ on purpose: the rollout card says what each holds.
  if (props.state.clustersDisagree && !inProgress(props.state.rollout))
    return <DisagreementNotice state={props.state} />;
  return null;
};
