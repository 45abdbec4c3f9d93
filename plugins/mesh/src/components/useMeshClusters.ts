import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { readMeshTarget } from '@meshtraffic/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../api/MeshApi';
import { MeshClusterRow } from './MeshClustersTable';

/** The entity's mesh target and the clusters of its mesh, from the backend. */
export function useMeshClusters() {
  const { entity } = useEntity();
  const api = useApi(meshApiRef);
  const target = readMeshTarget(entity);
  const state = useAsync(async () => {
    const response = await api.getClusters();
    const mesh = response.meshes.find(m => m.id === target?.mesh);
    const rows: MeshClusterRow[] = response.clusters
      .filter(c => c.mesh === target?.mesh)
      .map(c => ({
        ...c,
        receivesConfig: mesh?.configClusters.includes(c.name) ?? false,
      }));
    return { mesh, rows };
  }, [api, target?.mesh]);
  return { target, ...state };
}
