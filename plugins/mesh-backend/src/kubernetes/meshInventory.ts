import {
  AppsV1Api,
  ConfigurationOptions,
  CoreV1Api,
  V1Deployment,
  V1Namespace,
  V1Pod,
} from '@kubernetes/client-node';
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

const injectionOf = (ns: V1Namespace) =>
  ns.metadata?.labels?.['istio.io/rev'] ??
  (ns.metadata?.labels?.['istio-injection'] === 'enabled'
    ? 'enabled'
    : undefined);

/** Pods with the injector's status annotation (or an istio-proxy container) run a sidecar. */
const injected = (pod: V1Pod) =>
  Boolean(pod.metadata?.annotations?.[INJECTED_ANNOTATION]) ||
  Boolean(pod.spec?.containers?.some(c => c.name === 'istio-proxy'));

export function namespacesOf(
  cluster: string,
  namespaces: V1Namespace[],
  pods: V1Pod[],
): NamespaceProxies[] {
  return namespaces
    .map(ns => {
      const name = ns.metadata?.name ?? '';
      const here = pods.filter(p => p.metadata?.namespace === name);
      const injection = injectionOf(ns);
      return {
        cluster,
        namespace: name,
        ...(injection ? { injection } : {}),
        pods: here.length,
        injectedPods: here.filter(injected).length,
      };
    })
    .filter(n => n.pods > 0 || n.injection)
    .sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** The lists, in parallel: istiod in the control-plane namespace, every namespace and pod. */
export async function readMeshInventory(
  cluster: string,
  apis: { apps: AppsV1Api; core: CoreV1Api },
  controlPlaneNamespace: string,
  bounded: <T>(
    call: (options: ConfigurationOptions) => Promise<T>,
  ) => Promise<T>,
): Promise<MeshInventory> {
  const [deployments, namespaces, pods] = await Promise.all([
    bounded(options =>
      apis.apps.listNamespacedDeployment(
        { namespace: controlPlaneNamespace, labelSelector: 'app=istiod' },
        options,
      ),
    ),
    bounded(options => apis.core.listNamespace({}, options)),
    bounded(options => apis.core.listPodForAllNamespaces({}, options)),
  ]);
  return {
    controlPlanes: controlPlanesOf(cluster, deployments.items),
    namespaces: namespacesOf(cluster, namespaces.items, pods.items),
  };
}
