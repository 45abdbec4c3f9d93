/**
 * Extension points of the mesh backend plugin: auth strategies keyed by `authProvider`, and
 * suppliers of cluster connection details.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './extensions';
