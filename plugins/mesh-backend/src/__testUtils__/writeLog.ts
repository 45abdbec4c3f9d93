import { AcceptedWrite, Sandbox } from '@meshtraffic/kube-sandbox';
import {
  afterStep,
  danglingRoutes,
  RoutingObject,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { clusterApis } from './clusterObjects';

const ISTIO = { group: 'networking.istio.io', version: 'v1' };

/** A cluster's routing objects now, as the write-log replay starts from them. */
export async function routingNow(
  sandbox: Sandbox,
  cluster: string,
): Promise<RoutingObject[]> {
  const { custom } = clusterApis(sandbox, cluster);
  const out: RoutingObject[] = [];
  for (const [kind, plural] of [
    ['VirtualService', 'virtualservices'],
    ['DestinationRule', 'destinationrules'],
  ] as const) {
    const list = (await custom.listClusterCustomObject({
      ...ISTIO,
      plural,
    })) as any;
    out.push(...list.items.map((o: any) => ({ ...o, kind })));
  }
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
          apiVersion: `${ISTIO.group}/${ISTIO.version}`,
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
 * VirtualService routed to a subset its cluster's DestinationRules lacked. Empty means the
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
      if (w.kind !== 'VirtualService' && w.kind !== 'DestinationRule') continue;
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
