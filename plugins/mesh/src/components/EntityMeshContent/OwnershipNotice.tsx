import { Grid } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * Who holds the host's routing when it is not this entity, and which other catalog entities name
 * the same host: a person must know before editing that their change needs an adopt (and the
 * right to change the holder), or a fix in the catalog.
 */
export const OwnershipNotice = ({ state }: { state: EntityMeshState }) => {
  if (!state.heldBy && !state.claimedBy?.length) return null;
  return (
    <Grid item xs={12}>
      {state.heldBy && (
        <Alert severity="warning">
          The routing of {state.target.host} is held by {state.heldBy}: its
          objects name it, so a change from this page must adopt them, which
          needs the right to change {state.heldBy}'s routing.
        </Alert>
      )}
      {!!state.claimedBy?.length && (
        <Alert severity="info">
          {state.claimedBy.join(', ')} also name
          {state.claimedBy.length === 1 ? 's' : ''} this host in the catalog;
          the first to write its routing holds it. Remove the annotations from
          the entity that should not own it.
        </Alert>
      )}
    </Grid>
  );
};
