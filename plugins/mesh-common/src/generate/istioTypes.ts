import { HTTPRouteObject, ServiceObject } from './gatewayTypes';

/**
 * The parts of Istio's networking.istio.io/v1 objects this product writes and reads. Kept here as
 * plain types so the browser bundle does not carry Istio's schemas; tests check every generated
 * object against those schemas.
 */

/** @public */
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid?: string;
    controller?: boolean;
  }>;
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** @public */
export interface IstioStringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

/** @public */
export interface IstioPercent {
  value: number;
}

/** @public */
export interface IstioDestination {
  host: string;
  subset?: string;
  port?: { number: number };
}

/** @public */
export interface IstioHttpMatch {
  name?: string;
  headers?: Record<string, IstioStringMatch>;
  uri?: IstioStringMatch;
  method?: IstioStringMatch;
  queryParams?: Record<string, IstioStringMatch>;
  sourceLabels?: Record<string, string>;
  [key: string]: unknown;
}

/** @public */
export interface IstioHttpRoute {
  name?: string;
  match?: IstioHttpMatch[];
  route?: Array<{
    destination: IstioDestination;
    weight?: number;
    [key: string]: unknown;
  }>;
  fault?: {
    delay?: {
      fixedDelay?: string;
      percentage?: IstioPercent;
      [key: string]: unknown;
    };
    abort?: {
      httpStatus?: number;
      percentage?: IstioPercent;
      [key: string]: unknown;
    };
  };
  timeout?: string;
  retries?: {
    attempts?: number;
    perTryTimeout?: string;
    retryOn?: string;
    [key: string]: unknown;
  };
  mirror?: IstioDestination;
  mirrorPercentage?: IstioPercent;
  [key: string]: unknown;
}

/** @public */
export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: IstioHttpRoute[];
  [key: string]: unknown;
}

/** @public */
export interface TrafficPolicy {
  connectionPool?: Record<string, unknown>;
  outlierDetection?: Record<string, unknown>;
  loadBalancer?: {
    localityLbSetting?: {
      enabled?: boolean;
      failover?: Array<{ from: string; to: string }>;
      distribute?: Array<{ from: string; to: Record<string, number> }>;
      failoverPriority?: string[];
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** @public */
export interface DestinationRuleSpec {
  host?: string;
  subsets?: Array<{
    name: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  }>;
  trafficPolicy?: TrafficPolicy;
  [key: string]: unknown;
}

/** @public */
export interface VirtualServiceObject {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: ObjectMeta;
  spec: VirtualServiceSpec;
}

/** @public */
export interface DestinationRuleObject {
  apiVersion: string;
  kind: 'DestinationRule';
  metadata: ObjectMeta;
  spec: DestinationRuleSpec;
}

/** @public */
export interface AuthorizationSource {
  principals?: string[];
  namespaces?: string[];
  [key: string]: unknown;
}

/** @public */
export interface AuthorizationRule {
  from?: Array<{ source: AuthorizationSource }>;
  to?: Array<{
    operation: { methods?: string[]; paths?: string[]; [key: string]: unknown };
  }>;
  [key: string]: unknown;
}

/** @public */
export interface AuthorizationPolicySpec {
  selector?: { matchLabels?: Record<string, string> };
  action?: string;
  rules?: AuthorizationRule[];
  [key: string]: unknown;
}

/**
 * Istio's security.istio.io/v1 AuthorizationPolicy: who may call the workloads it selects.
 *
 * @public
 */
export interface AuthorizationPolicyObject {
  apiVersion: string;
  kind: 'AuthorizationPolicy';
  metadata: ObjectMeta;
  spec: AuthorizationPolicySpec;
}

/**
 * Every kind of object the product writes: Istio's routing, or Gateway API's HTTPRoute with one
 * Service per version (and DestinationRules for their traffic policy); and, for an intent with
 * access, an AuthorizationPolicy.
 *
 * @public
 */
export type RoutingObject =
  | VirtualServiceObject
  | DestinationRuleObject
  | HTTPRouteObject
  | ServiceObject
  | AuthorizationPolicyObject;
/** @public */
export type RoutingKind = RoutingObject['kind'];
