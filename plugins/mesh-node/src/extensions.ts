import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { MeshAuthStrategy, MeshClusterSupplier } from './types';

/**
 * Adds auth strategies to the mesh backend, each under the `authProvider` key clusters name it by.
 * A key the backend already has (a built-in strategy's) is refused at startup, so a module cannot
 * silently take over how the backend authenticates.
 *
 * @public
 */
export interface MeshAuthStrategyExtensionPoint {
  addAuthStrategy(key: string, strategy: MeshAuthStrategy): void;
}

/**
 * The mesh backend's auth strategies, keyed by `authProvider`.
 *
 * @public
 */
export const meshAuthStrategyExtensionPoint =
  createExtensionPoint<MeshAuthStrategyExtensionPoint>({
    id: 'mesh.auth-strategy',
  });

/**
 * Adds sources of cluster connection details, which `mesh.meshes[].clusters[]` entries without a
 * `url` are looked up in by name.
 *
 * @public
 */
export interface MeshClusterSupplierExtensionPoint {
  addClusterSupplier(supplier: MeshClusterSupplier): void;
}

/**
 * The mesh backend's cluster suppliers.
 *
 * @public
 */
export const meshClusterSupplierExtensionPoint =
  createExtensionPoint<MeshClusterSupplierExtensionPoint>({
    id: 'mesh.cluster-supplier',
  });
