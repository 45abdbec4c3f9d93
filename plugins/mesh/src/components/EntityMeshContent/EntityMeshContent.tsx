import { Content, EmptyState, InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { Grid, Typography } from '@material-ui/core';
import { serviceHost } from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshClustersTable } from '../MeshClustersTable';
import { useMeshClusters } from '../useMeshClusters';

/** The Mesh tab: the service's place in its mesh and the clusters its routing is written to. */
export const EntityMeshContent = () => {
  const { target, value, loading, error } = useMeshClusters();
  if (!target) {
    return (
      <EmptyState
        missing="field"
        title="No mesh annotation"
        description="Add mesh.meshtraffic.io/mesh (and optionally mesh.meshtraffic.io/service and mesh.meshtraffic.io/namespace) to this entity."
      />
    );
  }
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.mesh) {
    return (
      <EmptyState
        missing="info"
        title={`Mesh ${target.mesh} is not configured`}
        description="The portal's mesh.meshes config has no mesh with this id; ask the portal's operators to add it."
      />
    );
  }
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard title="Service">
            <Typography variant="body1">
              Host <code>{serviceHost(target)}</code> in mesh <b>{value.mesh.id}</b> ({value.mesh.kind}); routing is
              written to {value.mesh.configClusters.join(', ')}.
            </Typography>
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <MeshClustersTable title="Clusters" rows={value.rows} />
        </Grid>
      </Grid>
    </Content>
  );
};
