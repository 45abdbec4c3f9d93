/**
 * Test utilities for backends that run the mesh backend plugin in `startTestBackend`.
 *
 * @packageDocumentation
 */
export { onBehalfOfAuthServiceFactory } from './onBehalfOfAuth';
export { sandboxMeshConfig } from './sandboxMeshConfig';
export type { SandboxClusterLike } from './sandboxMeshConfig';
