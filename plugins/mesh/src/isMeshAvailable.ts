import { Entity } from '@backstage/catalog-model';
import { isMeshAnnotated } from '@meshtraffic/backstage-plugin-mesh-common';

/**
 * Whether an entity carries the mesh annotations (the Mesh tab shows only then).
 *
 * @public
 */
export function isMeshAvailable(entity: Entity): boolean {
  return isMeshAnnotated(entity);
}
