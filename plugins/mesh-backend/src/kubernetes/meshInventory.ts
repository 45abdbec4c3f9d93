import { V1Deployment } from '@kubernetes/client-node';
import {
  ControlPlaneStatus,
  NamespaceProxies,
} from '@meshtraffic/backstage-plugin-mesh-common';

/** What a cluster says of its mesh: its istiod Deployments and, per namespace, its sidecars. */
export interface MeshInventory {
  controlPlanes: ControlPlaneStatus[];
  namespaces: NamespaceProxies[];
}

const INJECTED_ANNOTATION = 'sidecar.istio.io/status';

/** The Istio version in an istiod image tag: docker.io/istio/pilot:1.24.2-distroless -> 1.24.2. */
export function imageVersion(image: string | undefined): string | undefined {
  const tag = image?.split('/').pop()?.split(':')[1];
  return tag?.match(/^\d+\.\d+\.\d+/)?.[0] ?? tag;
}

export function controlPlanesOf(
  cluster: string,
  deployments: V1Deployment[],
): ControlPlaneStatus[] {
  return deployments.map(d => ({
    cluster,
    name: d.metadata?.name ?? 'istiod',
    revision: d.metadata?.labels?.['istio.io/rev'] ?? 'default',
    version: imageVersion(
      d.spec?.template?.spec?.containers?.find(c => c.name === 'discovery')
        ?.image ?? d.spec?.template?.spec?.containers?.[0]?.image,
    ),
    replicas: d.spec?.replicas ?? 0,
    readyReplicas: d.status?.readyReplicas ?? 0,
  }));
}

/** A namespace's injection, from its labels: the revision it names, or "enabled". */
export const injectionOf = (labels: Record<string, string> | undefined) =>
  labels?.['istio.io/rev'] ??
  (labels?.['istio-injection'] === 'enabled' ? 'enabled' : undefined);

/** Pods with the injector's status annotation (or an istio-proxy container) run a sidecar. */
/**
 * Whether a pod's sidecar serves: its istio-proxy container says it is ready, or (where a status
 * lists no containers, as a pod just scheduled) the pod runs.
 */
export function proxyReady(pod: {
  status?: {
    phase?: string;
    containerStatuses?: Array<{ name: string; ready?: boolean }>;
  };
}): boolean {
  const proxy = pod.status?.containerStatuses?.find(
    c => c.name === 'istio-proxy',
  );
  if (proxy) return proxy.ready === true;
  return pod.status?.phase === 'Running';
}

export const isInjected = (pod: {
  metadata?: { annotations?: Record<string, string> };
  spec?: { containers?: Array<{ name: string }> };
}) =>
  Boolean(pod.metadata?.annotations?.[INJECTED_ANNOTATION]) ||
  Boolean(pod.spec?.containers?.some(c => c.name === 'istio-proxy'));
