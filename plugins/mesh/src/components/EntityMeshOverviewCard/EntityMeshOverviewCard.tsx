import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import { serviceHost } from '@meshtraffic/backstage-plugin-mesh-common';
import { useMeshClusters } from '../useMeshClusters';

/**
 * A small card for the entity overview: mesh, host, and where its routing config lives.
 *
 * @public
 */
export const EntityMeshOverviewCard = () => {
  const { target, value, loading, error } = useMeshClusters();
  let body;
  if (!target) body = <Typography>No mesh annotation.</Typography>;
  else if (loading) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else {
    const reachable = value?.rows.filter(r => r.reachable).length ?? 0;
    body = (
      <>
        <Typography variant="body2">
          Host <code>{serviceHost(target)}</code>
        </Typography>
        <Typography variant="body2">
          Mesh <b>{target.mesh}</b>: {value?.rows.length ?? 0} clusters,{' '}
          {reachable} reachable; routing written to{' '}
          {value?.mesh?.configClusters.join(', ') ??
            'nothing (mesh not configured)'}
          .
        </Typography>
      </>
    );
  }
  return <InfoCard title="Mesh">{body}</InfoCard>;
};
