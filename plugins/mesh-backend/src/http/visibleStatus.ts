import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityMeshState,
  MeshStatus,
} from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * The mesh status as this caller may see it: a routed service's row names its catalog entity and
 * who changed it last, so it is shown only to who may read that entity in the catalog (asked of
 * the catalog with the caller's credentials, one request for every row).
 */
export async function visibleStatus(
  status: MeshStatus,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<MeshStatus> {
  if (!status.services.length) return status;
  const { items } = await catalog.getEntitiesByRefs(
    {
      entityRefs: status.services.map(s => s.entityRef),
      fields: ['kind', 'metadata.name'],
    },
    { credentials },
  );
  return {
    ...status,
    services: status.services.filter((_, i) => Boolean(items[i])),
  };
}

/** How a catalog entity the caller may not read is named to them. */
export const UNREADABLE_ENTITY = 'an entity you may not read';

/**
 * The entity's state with the other entities it names (other claimants, the holder, and those in
 * why it may not write) replaced for a caller who may not read them in the catalog: their names
 * are the catalog's to show.
 */
export async function withReadableClaimants(
  state: EntityMeshState,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<EntityMeshState> {
  const named = [
    ...new Set([
      ...(state.claimedBy ?? []),
      ...(state.heldBy ? [state.heldBy] : []),
    ]),
  ];
  if (!named.length) return state;
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs: named, fields: ['kind', 'metadata.name'] },
    { credentials },
  );
  const hidden = named.filter((_, i) => !items[i]);
  if (!hidden.length) return state;
  const shown = (ref: string) =>
    hidden.includes(ref) ? UNREADABLE_ENTITY : ref;
  const redact = (text: string) =>
    hidden.reduce((t, ref) => t.split(ref).join(UNREADABLE_ENTITY), text);
  return {
    ...state,
    ...(state.claimedBy ? { claimedBy: state.claimedBy.map(shown) } : {}),
    ...(state.heldBy ? { heldBy: shown(state.heldBy) } : {}),
    ...(state.writeBlocked ? { writeBlocked: redact(state.writeBlocked) } : {}),
  };
}
