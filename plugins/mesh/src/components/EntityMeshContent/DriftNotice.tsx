import { Box, Button, Grid, Typography } from '@material-ui/core';
import { Alert, AlertTitle } from '@material-ui/lab';
import {
  EntityMeshState,
  intentSummary,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * Routing of this entity edited by hand on some cluster: per cluster what changed and what the
 * edit now says, and two ways out, both through review (which shows each cluster's diff):
 * re-apply the last intent applied everywhere, or adopt the hand edit as the intent.
 */
export const DriftNotice = (props: {
  state: EntityMeshState;
  disabledReason?: string;
  onReview(intent: TrafficIntent): void;
}) => {
  const { state, onReview } = props;
  const drifted = state.clusters.filter(c =>
    c.routing.some(o => o.status === 'drifted'),
  );
  if (!drifted.length || state.unfinished) return null;
  const last = state.lastApplied?.intent;
  const disabled = Boolean(props.disabledReason);
  return (
    <Grid item xs={12}>
      <Alert severity="warning" aria-label="Edited by hand">
        <AlertTitle>
          Edited by hand on {drifted.map(c => c.cluster).join(', ')}
        </AlertTitle>
        {drifted.map(c => (
          <Typography key={c.cluster} variant="body2">
            <b>{c.cluster}</b>:{' '}
            {c.routing.find(o => o.status === 'drifted')?.reason}.{' '}
            {c.handEdit?.intent &&
              `It now says: ${intentSummary(c.handEdit.intent)}.`}{' '}
            {c.handEdit?.cannotRepresent &&
              `An intent cannot hold all of it: ${c.handEdit.cannotRepresent}.`}
          </Typography>
        ))}
        <Box display="flex" mt={1} style={{ gap: 8 }}>
          <Button
            variant="outlined"
            disabled={disabled || !last}
            title={props.disabledReason}
            onClick={() => last && onReview(last)}
          >
            Re-apply the last intent
          </Button>
          {drifted.map(
            c =>
              c.handEdit?.intent && (
                <Button
                  key={c.cluster}
                  variant="outlined"
                  disabled={disabled}
                  title={props.disabledReason}
                  onClick={() => onReview(c.handEdit!.intent!)}
                >
                  Adopt the hand edit on {c.cluster}
                </Button>
              ),
          )}
        </Box>
      </Alert>
    </Grid>
  );
};
