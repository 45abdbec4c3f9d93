import { AcceptedWrite, Sandbox } from '@meshtraffic/kube-sandbox';
import {
  afterStep,
  danglingRoutes,
  RoutingObject,
  VERSION_OF_LABEL,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { clusterApis } from './clusterObjects';
import { CUSTOM_KINDS } from '../kubernetes/routingResources';

const API_VERSION: Record<string, string> = {
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
  Service: 'v1',
  AuthorizationPolicy: 'security.istio.io/v1',
};

/** A cluster's routing objects (version Services included) now, as the write-log replay starts from them. */
export async function routingNow(
  sandbox: Sandbox,
  cluster: string,
): Promise<RoutingObject[]> {
  const { custom, core } = clusterApis(sandbox, cluster);
  const out: RoutingObject[] = [];
  for (const [kind, place] of Object.entries(CUSTOM_KINDS)) {
    const list = (await custom.listClusterCustomObject(place)) as any;
    out.push(...list.items.map((o: any) => ({ ...o, kind })));
  }
  // Services: only version Services, which routes send to; a service's own Service is not routing.
  const services = await core.listServiceForAllNamespaces({
    labelSelector: VERSION_OF_LABEL,
  });
  out.push(
    ...services.items.map(o => ({ ...o, kind: 'Service' } as RoutingObject)),
  );
  return out;
}

/** A mark in each cluster's write log, and what each held at it. */
export async function markWriteLogs(sandbox: Sandbox, clusters: string[]) {
  const marks = new Map<string, { since: number; objects: RoutingObject[] }>();
  for (const cluster of clusters) {
    const log = sandbox.servers.get(cluster)!.writes.list();
    marks.set(cluster, {
      since: log.at(-1)?.seq ?? 0,
      objects: await routingNow(sandbox, cluster),
    });
  }
  return marks;
}

function asStep(w: AcceptedWrite) {
  const key = `${w.kind}/${w.namespace}/${w.name}`;
  const desired =
    w.verb === 'delete'
      ? undefined
      : ({
          apiVersion: API_VERSION[w.kind],
          kind: w.kind,
          metadata: {
            name: w.name,
            namespace: w.namespace,
            annotations: w.annotations,
          },
          spec: w.spec,
        } as RoutingObject);
  return {
    key,
    kind: w.kind as RoutingObject['kind'],
    namespace: w.namespace!,
    name: w.name,
    ...(desired ? { desired } : {}),
  };
}

/**
 * Replays each cluster's accepted writes since the mark, one by one, and returns every moment a
 * VirtualService routed to a subset its cluster's DestinationRules lacked, or an HTTPRoute sent to
 * a Service the cluster did not hold. Empty means the
 * invariant held throughout, not only at the end.
 */
export function danglingMoments(
  sandbox: Sandbox,
  marks: Map<string, { since: number; objects: RoutingObject[] }>,
) {
  const found: string[] = [];
  let writes = 0;
  for (const [cluster, mark] of marks) {
    let objects = mark.objects;
    for (const w of sandbox.servers.get(cluster)!.writes.list(mark.since)) {
      if (!(w.kind in API_VERSION)) continue;
      writes++;
      objects = afterStep(objects, asStep(w));
      for (const problem of danglingRoutes(objects))
        found.push(
          `${cluster} after write #${w.seq} (${w.verb} ${w.kind} ${w.name}): ${problem}`,
        );
    }
  }
  return { found, writes };
}
