import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  routedHosts,
  RoutingObject,
  VERSION_OF_LABEL,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { isInjected, proxyReady } from '../meshInventory';
import { Indexer, Keyed } from './ObjectIndex';

/**
 * One kind the backend watches: where it lives in the API, what of each object is kept (of
 * managedFields only the managers, never status it does not show) and what it is found by.
 */
export interface WatchedKind<T extends Keyed> {
  kind: string;
  /** The cluster-wide list path. */
  path: string;
  /** A kind whose CRD a cluster may lack (Gateway API, Argo Rollouts): absent lists as empty. */
  optional?: boolean;
  /**
   * A kind the backend's credential may not be granted yet (a portal upgraded before its RBAC):
   * a 403 on its list reads as absent, so reads that do not need it go on; a write of it is
   * still judged (and refused) by the API server.
   */
  forbiddenIsAbsent?: boolean;
  /** Objects per list page, when not the default: a page of large objects is parsed in one go. */
  pageSize?: number;
  /** What is kept of an object as JSON gave it (a list page, a watch event): no copy is made of what is kept. */
  slim(raw: any): T;
  indexers: Record<string, Indexer<T>>;
}

/**
 * JSON's own values only: client-node's typed answers (to our own writes) carry `undefined`
 * fields and Dates, so they are made plain once, whole, before they are slimmed. Lists and watch
 * events are JSON already: copying what is kept of each of their objects would double the
 * allocation of a sync of thousands.
 */
export const plainJson = <V>(v: V): V =>
  v === undefined ? v : JSON.parse(JSON.stringify(v));

function slimMetadata(raw: any) {
  const m = raw?.metadata ?? {};
  return {
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.generation !== undefined ? { generation: m.generation } : {}),
    ...(m.labels ? { labels: m.labels } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
    ...(m.ownerReferences ? { ownerReferences: m.ownerReferences } : {}),
  };
}

/**
 * Of `managedFields`, who manages the object and how, never which fields (the bulk of an object):
 * a GitOps tool co-managing an object shows only here.
 */
function fieldManagers(raw: any) {
  const entries = raw?.metadata?.managedFields;
  if (!Array.isArray(entries) || !entries.length) return {};
  return {
    managedFields: entries.map((e: any) => ({
      manager: e?.manager,
      ...(e?.operation ? { operation: e.operation } : {}),
    })),
  };
}

const byNamespace = (o: Keyed) =>
  o.metadata.namespace ? [o.metadata.namespace] : [];

/** What a host's read looks routing objects up by: every way an object can concern a host. */
export const ROUTING_INDEXERS: Record<string, Indexer<RoutingObject>> = {
  host: o => (o.kind === 'Service' ? [] : routedHosts(o)),
  name: o => [`${o.metadata.namespace}/${o.metadata.name}`],
  versionOf: o => {
    const of = o.metadata.labels?.[VERSION_OF_LABEL];
    return of ? [`${o.metadata.namespace}/${of}`] : [];
  },
  namespace: byNamespace,
  ours: o =>
    o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE &&
    (o.kind === 'VirtualService' || o.kind === 'HTTPRoute')
      ? ['ours']
      : [],
};

/** Routing objects keep metadata and spec: the classification reads both, nothing else. */
function routingKind(
  kind: RoutingObject['kind'],
  apiVersion: string,
  path: string,
  optional = false,
): WatchedKind<RoutingObject> {
  return {
    kind,
    path,
    optional,
    slim: raw =>
      ({
        apiVersion,
        kind,
        metadata: { ...slimMetadata(raw), ...fieldManagers(raw) },
        spec: raw.spec ?? {},
      } as RoutingObject),
    indexers: ROUTING_INDEXERS,
  };
}

export const VIRTUAL_SERVICES = routingKind(
  'VirtualService',
  'networking.istio.io/v1',
  '/apis/networking.istio.io/v1/virtualservices',
);
export const DESTINATION_RULES = routingKind(
  'DestinationRule',
  'networking.istio.io/v1',
  '/apis/networking.istio.io/v1/destinationrules',
);
export const HTTP_ROUTES = routingKind(
  'HTTPRoute',
  'gateway.networking.k8s.io/v1',
  '/apis/gateway.networking.k8s.io/v1/httproutes',
  true,
);
export const SERVICES = routingKind('Service', 'v1', '/api/v1/services');
/** Read by namespace: ours under the host's name, and the others that may admit its callers. */
export const AUTHORIZATION_POLICIES: WatchedKind<RoutingObject> = {
  ...routingKind(
    'AuthorizationPolicy',
    'security.istio.io/v1',
    '/apis/security.istio.io/v1/authorizationpolicies',
    true,
  ),
  forbiddenIsAbsent: true,
};

/** A Deployment, StatefulSet or Rollout, as far as versions, replicas, istiod's image and its pods' identity go. */
export interface CachedWorkload extends Keyed {
  metadata: Keyed['metadata'] & { labels?: Record<string, string> };
  spec: {
    replicas?: number;
    template: {
      metadata: { labels?: Record<string, string> };
      spec: {
        containers: Array<{ name: string; image?: string }>;
        /** Who its pods run as: their identity, and so the principal access rules name. */
        serviceAccountName?: string;
      };
    };
  };
  status: { readyReplicas?: number };
}

function workloadKind(
  kind: string,
  path: string,
  optional = false,
): WatchedKind<CachedWorkload> {
  return {
    kind,
    path,
    optional,
    slim: raw => ({
      metadata: slimMetadata({
        metadata: {
          name: raw.metadata?.name,
          namespace: raw.metadata?.namespace,
          resourceVersion: raw.metadata?.resourceVersion,
          labels: raw.metadata?.labels,
        },
      }),
      spec: {
        ...(raw.spec?.replicas !== undefined
          ? { replicas: raw.spec.replicas }
          : {}),
        template: {
          metadata: {
            ...(raw.spec?.template?.metadata?.labels
              ? { labels: raw.spec.template.metadata.labels }
              : {}),
          },
          spec: {
            containers: (raw.spec?.template?.spec?.containers ?? []).map(
              (c: any) => ({ name: c.name, image: c.image }),
            ),
            ...(raw.spec?.template?.spec?.serviceAccountName
              ? {
                  serviceAccountName: raw.spec.template.spec.serviceAccountName,
                }
              : {}),
          },
        },
      },
      status: {
        ...(raw.status?.readyReplicas !== undefined
          ? { readyReplicas: raw.status.readyReplicas }
          : {}),
      },
    }),
    indexers: { namespace: byNamespace },
  };
}

export const DEPLOYMENTS = workloadKind(
  'Deployment',
  '/apis/apps/v1/deployments',
);
export const STATEFUL_SETS = workloadKind(
  'StatefulSet',
  '/apis/apps/v1/statefulsets',
);
export const ARGO_ROLLOUTS = workloadKind(
  'Rollout',
  '/apis/argoproj.io/v1alpha1/rollouts',
  true,
);

export interface CachedNamespace extends Keyed {
  metadata: Keyed['metadata'] & {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

export const NAMESPACES: WatchedKind<CachedNamespace> = {
  kind: 'Namespace',
  path: '/api/v1/namespaces',
  slim: raw => ({
    metadata: slimMetadata({
      metadata: {
        name: raw.metadata?.name,
        resourceVersion: raw.metadata?.resourceVersion,
        labels: raw.metadata?.labels,
        annotations: raw.metadata?.annotations,
      },
    }),
  }),
  indexers: { all: () => ['all'] },
};

/** A pod is kept as its name, namespace, whether it runs a sidecar and whether that serves: the status page counts them. */
export interface CachedPod extends Keyed {
  injected: boolean;
  proxyReady?: boolean;
}

export const PODS: WatchedKind<CachedPod> = {
  kind: 'Pod',
  path: '/api/v1/pods',
  pageSize: 100,
  slim: raw => ({
    metadata: {
      name: raw.metadata?.name,
      namespace: raw.metadata?.namespace,
      resourceVersion: raw.metadata?.resourceVersion,
    },
    injected: isInjected(raw),
    ...(isInjected(raw) ? { proxyReady: proxyReady(raw) } : {}),
  }),
  indexers: {
    namespace: byNamespace,
    injected: p =>
      p.injected && p.metadata.namespace ? [p.metadata.namespace] : [],
    proxyDown: p =>
      p.injected && !p.proxyReady && p.metadata.namespace
        ? [p.metadata.namespace]
        : [],
  },
};
