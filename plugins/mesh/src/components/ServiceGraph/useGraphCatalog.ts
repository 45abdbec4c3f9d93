import {
  Entity,
  RELATION_API_CONSUMED_BY,
  RELATION_API_PROVIDED_BY,
  RELATION_CONSUMES_API,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_PROVIDES_API,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { CatalogApi, catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  KUBERNETES_ID_ANNOTATION,
  MESH_ID_ANNOTATION,
  MESH_SERVICE_ANNOTATION,
  readMeshTarget,
  ServiceGraph,
} from '@meshtraffic/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { DeclaredNeighbours, peerKey } from './graphModel';

const targetsOf = (entity: Entity, type: string) =>
  (entity.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

/** The catalog entities that carry the mesh annotations for the graph's peers, by `namespace/service`. */
async function peerEntities(
  catalog: CatalogApi,
  mesh: string,
  graph: ServiceGraph,
): Promise<Map<string, string>> {
  const peers = [...graph.inbound, ...graph.outbound].map(e => e.peer);
  const names = [...new Set(peers.map(p => p.service))];
  const found = new Map<string, string>();
  if (!names.length) return found;
  const inMesh = { [`metadata.annotations.${MESH_ID_ANNOTATION}`]: mesh };
  // A service is named by one of three fields (readMeshTarget's order); asking by the peers'
  // names costs the graph's size, not the catalog's.
  const { items } = await catalog.getEntities({
    filter: [
      { ...inMesh, [`metadata.annotations.${MESH_SERVICE_ANNOTATION}`]: names },
      {
        ...inMesh,
        [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: names,
      },
      { ...inMesh, 'metadata.name': names },
    ],
    fields: [
      'kind',
      'metadata.name',
      'metadata.namespace',
      'metadata.annotations',
    ],
  });
  const wanted = new Set(peers.map(peerKey));
  for (const entity of items) {
    const target = readMeshTarget(entity);
    if (!target || target.mesh !== mesh) continue;
    const key = peerKey(target);
    // Two entities claiming one host is an ownership conflict the Mesh tab reports; link the first.
    if (wanted.has(key) && !found.has(key)) found.set(key, target.entityRef);
  }
  return found;
}

/** Who the catalog says calls the service and whom it calls: direct dependencies and APIs. */
export async function declaredNeighbours(
  catalog: CatalogApi,
  entity: Entity,
): Promise<DeclaredNeighbours> {
  const consumed = targetsOf(entity, RELATION_CONSUMES_API);
  const provided = targetsOf(entity, RELATION_PROVIDES_API);
  const apiRefs = [...consumed, ...provided];
  const apis = apiRefs.length
    ? (
        await catalog.getEntitiesByRefs({
          entityRefs: apiRefs,
          fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
        })
      ).items
    : [];
  // getEntitiesByRefs answers in the order asked, with undefined for what the viewer cannot see.
  const ofApis = (refs: string[], type: string) =>
    apis.flatMap((api, i) =>
      api && refs.includes(apiRefs[i]) ? targetsOf(api, type) : [],
    );
  const notSelf = (ref: string) => ref !== stringifyEntityRef(entity);
  return {
    callers: [
      ...targetsOf(entity, RELATION_DEPENDENCY_OF),
      ...ofApis(provided, RELATION_API_CONSUMED_BY),
    ].filter(notSelf),
    callees: [
      ...targetsOf(entity, RELATION_DEPENDS_ON),
      ...ofApis(consumed, RELATION_API_PROVIDED_BY),
    ].filter(notSelf),
  };
}

/**
 * The catalog's side of the graph: each peer's entity (read with the viewer's own rights, so a
 * link is only offered to what they may see) and the relations the catalog declares.
 */
export function useGraphCatalog(
  entity: Entity,
  mesh: string,
  graph: ServiceGraph | undefined,
) {
  const catalog = useApi(catalogApiRef);
  return useAsync(async () => {
    if (!graph) return undefined;
    const [entities, declared] = await Promise.all([
      peerEntities(catalog, mesh, graph),
      declaredNeighbours(catalog, entity),
    ]);
    return { entityOf: (key: string) => entities.get(key), declared };
  }, [catalog, entity, mesh, graph]);
}
