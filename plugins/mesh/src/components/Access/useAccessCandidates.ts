import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  DEFAULT_TRUST_DOMAIN,
  MeshSummary,
  readMeshTarget,
  WorkloadIdentity,
} from '@meshtraffic/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api/MeshApi';
import { declaredNeighbours } from '../ServiceGraph/useGraphCatalog';
import { candidatesOf } from './accessCandidates';

/** How far back the callers to pick from are looked for: the plan's preview looks as far. */
export const CANDIDATE_WINDOW = '30m';

/**
 * The callers a person may pick for the service's access: those the telemetry saw over the last
 * half hour, and those the catalog declares (their service accounts read from the clusters), with
 * what could not be read said, not hidden.
 */
export function useAccessCandidates(
  entity: Entity,
  ref: CompoundEntityRef,
  mesh: MeshSummary,
) {
  const api = useApi(meshApiRef);
  const catalog = useApi(catalogApiRef);
  return useAsync(async () => {
    const notes: string[] = [];
    const [graph, declaredRefs] = await Promise.all([
      api.getServiceGraph(ref, CANDIDATE_WINDOW).catch(e => {
        notes.push(`Callers seen lately cannot be read: ${e.message ?? e}`);
        return undefined;
      }),
      declaredNeighbours(catalog, entity).then(d => d.callers),
    ]);
    const entities = declaredRefs.length
      ? (
          await catalog.getEntitiesByRefs({
            entityRefs: declaredRefs,
            fields: [
              'kind',
              'metadata.name',
              'metadata.namespace',
              'metadata.annotations',
            ],
          })
        ).items
      : [];
    const declared = entities.flatMap((e, i) => {
      const target = e && readMeshTarget(e);
      return target && target.mesh === mesh.id
        ? [{ entityRef: declaredRefs[i], target }]
        : [];
    });
    let identities: WorkloadIdentity[] = [];
    if (declared.length) {
      // Without them the callers seen are still offered; the declared ones say why they are not.
      const answer = await api
        .getServiceAccounts(
          mesh.id,
          declared.map(d => ({
            namespace: d.target.namespace,
            service: d.target.service,
          })),
        )
        .catch(e => {
          notes.push(
            `Who the declared callers run as cannot be read: ${e.message ?? e}`,
          );
          return { workloads: [], unreadable: [] };
        });
      identities = answer.workloads;
      if (answer.unreadable.length)
        notes.push(`Not read: ${answer.unreadable.join(', ')}`);
    }
    return {
      candidates: candidatesOf(
        graph?.inbound ?? [],
        declared.map((d, i) => ({
          entityRef: d.entityRef,
          identity: identities[i],
        })),
        mesh.trustDomain ?? DEFAULT_TRUST_DOMAIN,
      ),
      notes,
    };
  }, [api, catalog, entity, ref, mesh]);
}
