import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { Sandbox } from '@meshtraffic/kube-sandbox';

const ISTIO = { group: 'networking.istio.io', version: 'v1' };
const PLURAL = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
} as const;

/** client-node APIs of one sandbox cluster, as an operator with kubectl would reach it. */
export function clusterApis(sandbox: Sandbox, cluster: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  kc.setCurrentContext(cluster);
  return {
    custom: kc.makeApiClient(CustomObjectsApi),
    core: kc.makeApiClient(CoreV1Api),
  };
}

/**
 * Every VirtualService and DestinationRule a cluster holds, whole (metadata, resourceVersion and
 * managed fields included), keyed `Kind ns/name`: what "left byte-identical" is checked against.
 */
export async function allRouting(
  sandbox: Sandbox,
  cluster: string,
): Promise<Record<string, string>> {
  const { custom } = clusterApis(sandbox, cluster);
  const out: Record<string, string> = {};
  for (const [kind, plural] of Object.entries(PLURAL)) {
    const list = (await custom.listClusterCustomObject({
      ...ISTIO,
      plural,
    })) as any;
    for (const item of list.items)
      out[`${kind} ${item.metadata.namespace}/${item.metadata.name}`] =
        JSON.stringify(item);
  }
  return out;
}

/** Creates a routing object as a person or another tool would, through the API. */
export async function createRouting(
  sandbox: Sandbox,
  cluster: string,
  obj: {
    kind: keyof typeof PLURAL;
    metadata: { name: string; namespace: string };
    [k: string]: unknown;
  },
) {
  const { custom, core } = clusterApis(sandbox, cluster);
  const namespace = obj.metadata.namespace;
  await core
    .readNamespace({ name: namespace })
    .catch(() =>
      core.createNamespace({ body: { metadata: { name: namespace } } }),
    );
  await custom.createNamespacedCustomObject({
    ...ISTIO,
    namespace,
    plural: PLURAL[obj.kind],
    body: { apiVersion: 'networking.istio.io/v1', ...obj },
  });
}

/** The default (last) route's destinations of a VirtualService on a cluster, read as kubectl would. */
export async function liveDefaultRoute(
  sandbox: Sandbox,
  cluster: string,
  name = 'reviews',
  namespace = 'bookinfo',
): Promise<Array<{ destination: { subset?: string }; weight?: number }>> {
  const vs: any = await clusterApis(
    sandbox,
    cluster,
  ).custom.getNamespacedCustomObject({
    ...ISTIO,
    namespace,
    plural: PLURAL.VirtualService,
    name,
  });
  return vs.spec.http.at(-1).route;
}
