import { CompoundEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  EntityMeshState,
  HistoryEntry,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { meshApiRef } from '../../api/MeshApi';

/** Rollback and removal from the page: each says how it went in an alert, then reloads. */
export function useRoutingActions(
  ref: CompoundEntityRef,
  state: EntityMeshState | undefined,
  reload: () => void,
) {
  const api = useApi(meshApiRef);
  const alertApi = useApi(alertApiRef);
  const attempt = async (
    work: (s: EntityMeshState) => Promise<{ message: string; ok: boolean }>,
  ) => {
    if (!state) return;
    try {
      const { message, ok } = await work(state);
      alertApi.post({ message, severity: ok ? 'success' : 'error' });
    } catch (e: any) {
      alertApi.post({
        message: e?.body?.error?.message ?? String(e),
        severity: 'error',
      });
    }
    reload();
  };

  const onRollback = (entry: HistoryEntry) =>
    attempt(async s => {
      const result = await api.rollback(ref, {
        to: entry.id,
        revision: s.revision,
      });
      if ('valid' in result)
        return {
          ok: false,
          message: `Rollback refused: ${result.issues
            .map(i => i.message)
            .join('; ')}`,
        };
      return {
        ok: result.ok,
        message: result.ok
          ? `Rolled back to change ${entry.id}`
          : 'Rollback failed; the clusters were put back',
      };
    });

  const onRemove = () =>
    attempt(async s => {
      const result = await api.removeRouting(ref, s.revision);
      return {
        ok: result.ok,
        message: result.ok
          ? 'Removed this service’s routing objects'
          : 'Removal failed; the clusters were put back',
      };
    });

  return { onRollback, onRemove };
}
