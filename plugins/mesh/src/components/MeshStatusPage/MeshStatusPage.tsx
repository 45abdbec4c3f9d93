import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Tab, Tabs } from '@material-ui/core';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api/MeshApi';
import { MeshStatusTables } from './MeshStatusTables';

const MeshStatusView = ({ mesh }: { mesh: string }) => {
  const api = useApi(meshApiRef);
  const status = useAsync(() => api.getMeshStatus(mesh), [api, mesh]);
  if (status.loading) return <Progress />;
  if (status.error) return <ResponseErrorPanel error={status.error} />;
  return <MeshStatusTables status={status.value!} />;
};

/**
 * The mesh itself, per configured mesh: its clusters, the control planes that serve them with
 * their revisions and versions, the proxies per namespace, and the services the portal routes.
 *
 * @public
 */
export const MeshStatusPage = () => {
  const api = useApi(meshApiRef);
  const clusters = useAsync(() => api.getClusters(), [api]);
  const [chosen, setChosen] = useState<string>();
  const meshes = clusters.value?.meshes.map(m => m.id) ?? [];
  const mesh = chosen ?? meshes[0];
  return (
    <Page themeId="tool">
      <Header
        title="Mesh status"
        subtitle="Clusters, control planes, proxies and the services routed from this portal"
      />
      <Content>
        {clusters.loading && <Progress />}
        {clusters.error && <ResponseErrorPanel error={clusters.error} />}
        {meshes.length > 1 && (
          <Tabs
            value={mesh}
            onChange={(_, v) => setChosen(v)}
            aria-label="Meshes"
            indicatorColor="primary"
          >
            {meshes.map(m => (
              <Tab key={m} label={m} value={m} />
            ))}
          </Tabs>
        )}
        <Box mt={2}>{mesh && <MeshStatusView key={mesh} mesh={mesh} />}</Box>
      </Content>
    </Page>
  );
};
