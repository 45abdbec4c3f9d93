/**
 * Label and annotation keys every generated object carries, and the value that marks it ours.
 *
 * @public
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** @public */
export const MANAGED_BY_VALUE = 'backstage-mesh-traffic';
/** @public */
export const ENTITY_REF_ANNOTATION = 'mesh.meshtraffic.io/entity-ref';
/** @public */
export const INTENT_HASH_ANNOTATION = 'mesh.meshtraffic.io/intent-hash';
/**
 * What cannot be read back from a spec (the canary's steps) travels in an annotation.
 *
 * @public
 */
export const CANARY_ANNOTATION = 'mesh.meshtraffic.io/canary';

/**
 * The label Istio puts on every workload with the name of its cluster.
 *
 * @public
 */
export const CLUSTER_LABEL = 'topology.istio.io/cluster';
/** @public */
export const VERSION_LABEL = 'version';

/**
 * The name of the default (catch-all) HTTP route; user routes may not take it.
 *
 * @public
 */
export const DEFAULT_ROUTE_NAME = 'default';

/** @public */
export const ISTIO_API_VERSION = 'networking.istio.io/v1';
/** @public */
export const ISTIO_SECURITY_API_VERSION = 'security.istio.io/v1';

/**
 * On a version Service (and its DestinationRule) of a mesh on Gateway API: the service it is a version of.
 *
 * @public
 */
export const VERSION_OF_LABEL = 'mesh.meshtraffic.io/version-of';
