import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Grid,
} from '@material-ui/core';
import { useState } from 'react';
import { Alert, AlertTitle } from '@material-ui/lab';
import {
  canonicalJson,
  ClusterHolds,
  EntityMeshState,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';

const HOLDS: Record<ClusterHolds, string> = {
  intended: 'the intended change',
  before: 'what it held before',
  other: 'something else',
  unknown: 'nothing readable (unreachable)',
};

const summarize = (intent?: TrafficIntent) =>
  intent
    ? intent.split.map(d => `${d.weight}% ${d.version}`).join(', ')
    : 'no routing of this entity';

export interface UnfinishedChangeNoticeProps {
  state: EntityMeshState;
  disabledReason?: string;
  /** Opens the normal review for an intent: finish reviews the intended one, undo the one before. */
  onReview(intent: TrafficIntent): void;
  /** Undo of a change that started from no routing: remove this entity's objects. */
  onRemove(): void;
}

/**
 * A change that did not finish cleanly (its writer died, or its undo failed too), and config
 * clusters that disagree: nobody should edit over that without knowing. Finish and undo go
 * through the normal plan, review and apply.
 */
export const UnfinishedChangeNotice = ({
  state,
  disabledReason,
  onReview,
  onRemove,
}: UnfinishedChangeNoticeProps) => {
  const change = state.unfinished;
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  if (change) {
    const interrupted = change.state !== 'restore-failed';
    const undoIsRemoval = !change.intentBefore;
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
                disabled={Boolean(disabledReason)}
                onClick={() => onReview(change.intentAfter!)}
              >
                Finish
              </Button>
            )}
            <Button
              variant="outlined"
              size="small"
              disabled={Boolean(disabledReason)}
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
        <Dialog
          open={confirmingRemoval}
          onClose={() => setConfirmingRemoval(false)}
          aria-labelledby="undo-removal-title"
        >
          <DialogTitle id="undo-removal-title">
            Remove this service’s routing?
          </DialogTitle>
          <DialogContent>
            Before change #{change.historyId} this entity had no routing for{' '}
            {state.target.host}. Undoing it removes this entity’s VirtualService
            and DestinationRule from{' '}
            {state.clusters
              .filter(c => c.isConfigCluster)
              .map(c => c.cluster)
              .join(', ')}{' '}
            (VirtualService first); other routing stays.
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setConfirmingRemoval(false)}>Cancel</Button>
            <Button
              color="secondary"
              onClick={() => {
                setConfirmingRemoval(false);
                onRemove();
              }}
            >
              Remove
            </Button>
          </DialogActions>
        </Dialog>
      </Grid>
    );
  }
  if (!state.clustersDisagree) return null;
  const config = state.clusters.filter(c => c.isConfigCluster && c.reachable);
  const lastApplied = state.lastApplied?.intent;
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
            config.every(
              c =>
                c.intent &&
                canonicalJson(c.intent) === canonicalJson(lastApplied),
            )
              ? ''
              : '; applying it brings every cluster back in line'
          }.`}
      </Alert>
    </Grid>
  );
};
