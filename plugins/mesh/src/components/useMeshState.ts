import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useMemo } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../api/MeshApi';

/** The entity's live mesh state from the backend, with a way to load it again. */
export function useMeshState() {
  const { entity } = useEntity();
  const api = useApi(meshApiRef);
  const { kind, namespace, name } = getCompoundEntityRef(entity);
  // One object per entity: callbacks built on it (plan, apply) must not change on every render.
  const ref = useMemo(
    () => ({ kind, namespace, name }),
    [kind, namespace, name],
  );
  const state = useAsyncRetry(() => api.getState(ref), [api, ref]);
  return { ref, ...state };
}
