import { ObjectMeta } from './istioTypes';

/**
 * The parts of Gateway API's HTTPRoute (gateway.networking.k8s.io/v1) and of core Services this
 * product writes and reads, as plain types; tests judge every generated object by Gateway API's
 * own CRD schemas, CEL rules included.
 *
 * @public
 */
export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

/**
 * A reference to a Service, with every field the API server would default written out.
 *
 * @public
 */
export interface ServiceRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  port?: number;
  [key: string]: unknown;
}

/** @public */
export interface GatewayBackendRef extends ServiceRef {
  weight?: number;
  filters?: unknown[];
}

/** @public */
export interface GatewayStringMatch {
  type?: string;
  name: string;
  value: string;
}

/** @public */
export interface GatewayRouteMatch {
  path?: { type?: string; value?: string };
  headers?: GatewayStringMatch[];
  queryParams?: GatewayStringMatch[];
  method?: string;
  [key: string]: unknown;
}

/** @public */
export interface GatewayFilter {
  type: string;
  requestMirror?: {
    backendRef: ServiceRef;
    percent?: number;
    fraction?: { numerator: number; denominator?: number };
  };
  [key: string]: unknown;
}

/** @public */
export interface GatewayRule {
  name?: string;
  matches?: GatewayRouteMatch[];
  filters?: GatewayFilter[];
  backendRefs?: GatewayBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
  [key: string]: unknown;
}

/** @public */
export interface HTTPRouteObject {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: ObjectMeta;
  spec: {
    parentRefs?: Array<ServiceRef & { sectionName?: string }>;
    hostnames?: string[];
    rules?: GatewayRule[];
    [key: string]: unknown;
  };
}

/** @public */
export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

/** @public */
export interface ServiceObject {
  apiVersion: string;
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    selector?: Record<string, string>;
    ports?: ServicePort[];
    [key: string]: unknown;
  };
}
