import { Grid } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * Who holds the host's routing when it is not this entity, which other catalog entities name the
 * same host, and why this entity may not write it at all (the namespace is another team's, or the
 * host is contested): a person must know before editing that their change needs an adopt (and the
 * right to change the holder), a fix in the catalog, or a mesh admin.
 */
export const OwnershipNotice = ({ state }: { state: EntityMeshState }) => {
  if (!state.heldBy && !state.claimedBy?.length && !state.writeBlocked)
    return null;
  return (
    <Grid item xs={12}>
      {state.writeBlocked && (
        <Alert severity="error">
          This entity may not change the routing of {state.target.host}:{' '}
          {state.writeBlocked}.
        </Alert>
      )}
      {state.heldBy && (
        <Alert severity="warning">
          The routing of {state.target.host} is held by {state.heldBy}: its
          objects name it, so a change from this page must adopt them, which
          needs the right to change {state.heldBy}'s routing.
        </Alert>
      )}
      {!!state.claimedBy?.length && !state.writeBlocked && (
        <Alert severity="info">
          {state.claimedBy.join(', ')} also name
          {state.claimedBy.length === 1 ? 's' : ''} this host in the catalog;
          its namespace's owners or a mesh admin's adoption let this entity
          write it. Remove the annotations from the entity that should not own
          it.
        </Alert>
      )}
    </Grid>
  );
};
