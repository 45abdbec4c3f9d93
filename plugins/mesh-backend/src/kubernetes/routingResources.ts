import {
  ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
} from '@kubernetes/client-node';
import { RoutingObject } from '@meshtraffic/backstage-plugin-mesh-common';

type Kind = RoutingObject['kind'];
type Options = ConfigurationOptions;

/** The write parameters every kind takes, as the API server names them. */
export interface WriteParams {
  fieldManager: string;
  force?: boolean;
  dryRun?: 'All';
}

/**
 * One kind's calls, whatever API group serves it: Istio's and Gateway API's kinds through the
 * custom objects API, core Services through the core API.
 */
export interface KindAccess {
  get(namespace: string, name: string, o: Options): Promise<any>;
  create(
    namespace: string,
    body: any,
    p: WriteParams,
    o: Options,
  ): Promise<any>;
  patch(
    namespace: string,
    name: string,
    body: any,
    p: WriteParams,
    o: Options,
  ): Promise<any>;
  replace(
    namespace: string,
    name: string,
    body: any,
    p: WriteParams,
    o: Options,
  ): Promise<any>;
  remove(namespace: string, name: string, body: any, o: Options): Promise<any>;
}

/** Where each custom kind lives in the API. */
export const CUSTOM_KINDS = {
  VirtualService: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'virtualservices',
  },
  DestinationRule: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'destinationrules',
  },
  HTTPRoute: {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
  },
  AuthorizationPolicy: {
    group: 'security.istio.io',
    version: 'v1',
    plural: 'authorizationpolicies',
  },
} as const;

function customAccess(
  api: CustomObjectsApi,
  place: (typeof CUSTOM_KINDS)[keyof typeof CUSTOM_KINDS],
): KindAccess {
  return {
    get: (namespace, name, o) =>
      api.getNamespacedCustomObject({ ...place, namespace, name }, o),
    create: (namespace, body, p, o) =>
      api.createNamespacedCustomObject({ ...place, namespace, body, ...p }, o),
    patch: (namespace, name, body, p, o) =>
      api.patchNamespacedCustomObject(
        { ...place, namespace, name, body, ...p },
        o,
      ),
    replace: (namespace, name, body, p, o) =>
      api.replaceNamespacedCustomObject(
        { ...place, namespace, name, body, ...p },
        o,
      ),
    remove: (namespace, name, body, o) =>
      api.deleteNamespacedCustomObject(
        { ...place, namespace, name, ...(body ? { body } : {}) },
        o,
      ),
  };
}

/** Core Services: their own API, and answers without apiVersion and kind set by the client's models. */
function serviceAccess(api: CoreV1Api): KindAccess {
  const typed = (answer: any) => ({
    ...answer,
    apiVersion: 'v1',
    kind: 'Service',
  });
  return {
    get: (namespace, name, o) =>
      api.readNamespacedService({ namespace, name }, o).then(typed),
    create: (namespace, body, p, o) =>
      api.createNamespacedService({ namespace, body, ...p }, o).then(typed),
    patch: (namespace, name, body, p, o) =>
      api
        .patchNamespacedService({ namespace, name, body, ...p }, o)
        .then(typed),
    replace: (namespace, name, body, p, o) =>
      api
        .replaceNamespacedService({ namespace, name, body, ...p }, o)
        .then(typed),
    remove: (namespace, name, body, o) =>
      api.deleteNamespacedService(
        { namespace, name, ...(body ? { body } : {}) },
        o,
      ),
  };
}

/** The calls for every kind the product writes. */
export function kindAccess(apis: {
  core: CoreV1Api;
  custom: CustomObjectsApi;
}): Record<Kind, KindAccess> {
  return {
    VirtualService: customAccess(apis.custom, CUSTOM_KINDS.VirtualService),
    DestinationRule: customAccess(apis.custom, CUSTOM_KINDS.DestinationRule),
    HTTPRoute: customAccess(apis.custom, CUSTOM_KINDS.HTTPRoute),
    AuthorizationPolicy: customAccess(
      apis.custom,
      CUSTOM_KINDS.AuthorizationPolicy,
    ),
    Service: serviceAccess(apis.core),
  };
}
