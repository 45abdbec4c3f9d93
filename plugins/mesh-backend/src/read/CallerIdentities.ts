import { NotFoundError } from '@backstage/errors';
import {
  WorkloadIdentity,
  WorkloadRef,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { isNamespaceAllowed } from '../config/readMeshConfig';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';

/**
 * The service accounts other services of a mesh run as, read from every cluster's watch cache:
 * what an access rule names a caller by, for the namespaces the portal manages. Costs the
 * workloads of the services' namespaces.
 */
export class CallerIdentities {
  constructor(private readonly registry: ClusterRegistry) {}

  async read(
    meshId: string,
    workloads: WorkloadRef[],
  ): Promise<{ workloads: WorkloadIdentity[]; unreadable: string[] }> {
    const mesh = this.registry.mesh(meshId);
    if (!mesh)
      throw new NotFoundError(
        `mesh ${meshId} is not configured in this portal (mesh.meshes)`,
      );
    const unreadable = new Set<string>();
    // Only what the portal manages is told: a namespace it may not touch stays unknown here.
    const managed = (w: WorkloadRef) => isNamespaceAllowed(mesh, w.namespace);
    for (const w of workloads.filter(ref => !managed(ref)))
      unreadable.add(
        `${w.namespace}/${w.service} (namespace ${w.namespace} is not one mesh ${mesh.id} lets the portal manage)`,
      );
    const perCluster = await Promise.all(
      mesh.clusters.map(async cluster => {
        const cache = this.registry.client(cluster).cache;
        try {
          return await Promise.all(
            workloads.map(async w => ({
              cluster: cluster.name,
              accounts: managed(w)
                ? await cache.serviceAccounts(
                    w.namespace,
                    w.service,
                    mesh.workloadLabels,
                  )
                : [],
            })),
          );
        } catch (e) {
          unreadable.add(`${cluster.name} (${describeClusterError(e)})`);
          return workloads.map(() => ({ cluster: cluster.name, accounts: [] }));
        }
      }),
    );
    return {
      workloads: workloads.map((w, i) => {
        const found = perCluster.map(c => c[i]).filter(c => c.accounts.length);
        return {
          ...w,
          serviceAccounts: [
            ...new Set(
              found.flatMap(c => c.accounts.map(a => `${w.namespace}/${a}`)),
            ),
          ].sort(),
          clusters: found.map(c => c.cluster),
        };
      }),
      unreadable: [...unreadable].sort(),
    };
  }
}
