import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../api/MeshApi';

/** The entity's live mesh state from the backend, with a way to load it again. */
export function useMeshState() {
  const { entity } = useEntity();
  const api = useApi(meshApiRef);
  const ref = getCompoundEntityRef(entity);
  const state = useAsyncRetry(() => api.getState(ref), [api, ref.kind, ref.namespace, ref.name]);
  return { ref, ...state };
}
