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
  const inGit = managedInGit(state);
  if (
    !state.heldBy &&
    !state.claimedBy?.length &&
    !state.writeBlocked &&
    !inGit.length
  )
    return null;
  return (
    <Grid item xs={12}>
      {!!inGit.length && (
        <Alert severity="warning">
          Git holds routing of {state.target.host}: {inGit.join('; ')}. Change
          it in Git; this page does not write over Argo CD or Flux.
        </Alert>
      )}
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

/** Per cluster, why objects of the host are Argo CD's or Flux's: the same reason on every cluster is said once. */
function managedInGit(state: EntityMeshState): string[] {
  const reasons = state.clusters.flatMap(c =>
    c.routing
      .filter(o => o.owner === 'argo-cd' || o.owner === 'flux')
      .map(
        o => (o.reason ?? `${o.kind} ${o.namespace}/${o.name}`).split(':')[0],
      ),
  );
  return [...new Set(reasons)];
}
