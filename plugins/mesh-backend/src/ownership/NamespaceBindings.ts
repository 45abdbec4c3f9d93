import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  ClusterConfig,
  MeshConfig,
  namespaceOwners,
} from '../config/readMeshConfig';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';

/**
 * On a Kubernetes namespace, the groups that own it, as the platform team sets them: an
 * annotation listing group refs (`group:default/bookinfo-team, group:default/sre`), or a label
 * naming one group of the default namespace (label values cannot hold `:` or `/`).
 */
export const NAMESPACE_OWNERS_ANNOTATION = 'mesh.meshtraffic.io/owners';
export const NAMESPACE_OWNER_LABEL = 'mesh.meshtraffic.io/owner';

/** The groups a namespace is bound to, and where that was read (for messages and the page). */
export interface NamespaceBinding {
  owners: string[];
  source: string;
}

const GROUP_REF = /^group:[^/:\s]+\/[^/:\s]+$/;

/** `team`, `ns/team` or `group:ns/team`, as a full group ref; undefined when it is none. */
function groupRef(value: string): string | undefined {
  // Entity refs compare lowercased, as the catalog and users' ownership refs have them.
  const v = value.trim().toLocaleLowerCase('en-US');
  if (!v) return undefined;
  const ref = v.startsWith('group:')
    ? v
    : `group:${v.includes('/') ? v : `default/${v}`}`;
  return GROUP_REF.test(ref) ? ref : undefined;
}

type NamespaceMetadata = {
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

/** Stands for owners that were named but cannot be read: no caller is a member of it. */
const UNREADABLE_OWNERS = '(unreadable owners)';

/**
 * The owners a namespace's metadata names, sorted, or undefined when it carries neither key.
 * A key that is there binds the namespace even when its value is empty or unreadable (a typo):
 * then to nobody, never to everybody.
 */
export function ownersOnNamespace(
  metadata: NamespaceMetadata,
): string[] | undefined {
  const annotation = metadata.annotations[NAMESPACE_OWNERS_ANNOTATION];
  const label = metadata.labels[NAMESPACE_OWNER_LABEL];
  if (annotation === undefined && label === undefined) return undefined;
  const named = [...(annotation?.split(',') ?? []), ...(label ? [label] : [])];
  const owners = [
    ...new Set(named.map(groupRef).filter((r): r is string => Boolean(r))),
  ].sort();
  const unreadable = named.some(n => n.trim() && !groupRef(n));
  return owners.length && !unreadable ? owners : [UNREADABLE_OWNERS];
}

/**
 * Who a namespace belongs to: `mesh.meshes[].namespaces[].owners` when the config binds it, else
 * the namespace itself on the mesh's config clusters (the clusters where its routing is written).
 * Both are the platform team's, never a catalog entity's to grant itself. It fails closed: a
 * config cluster that cannot be read, or config clusters that name different owners, refuse the
 * write rather than guess.
 */
export class NamespaceBindings {
  private readonly read = new Map<
    string,
    { at: number; metadata: NamespaceMetadata | undefined }
  >();

  constructor(
    private readonly registry: Pick<ClusterRegistry, 'client'>,
    /**
     * How long a namespace's metadata is reused: a page view and the change made from it read it
     * once, and a platform team's new binding takes effect within this.
     */
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A namespace's labels and annotations on one cluster, read at most once per `ttlMs`; failures are not kept. */
  private async metadataOf(
    cluster: ClusterConfig,
    namespace: string,
  ): Promise<NamespaceMetadata | undefined> {
    const key = JSON.stringify([cluster.mesh, cluster.name, namespace]);
    const kept = this.read.get(key);
    if (kept && this.now() - kept.at < this.ttlMs) return kept.metadata;
    const metadata = await this.registry
      .client(cluster)
      .namespaceMetadata(namespace);
    this.read.set(key, { at: this.now(), metadata });
    return metadata;
  }

  async bindingOf(
    mesh: MeshConfig,
    namespace: string,
  ): Promise<NamespaceBinding | undefined> {
    const configured = namespaceOwners(mesh, namespace);
    if (configured)
      return {
        owners: configured,
        source: `mesh.meshes[].namespaces of mesh ${mesh.id}`,
      };
    const clusters = mesh.clusters.filter(c =>
      mesh.placement.configClusters.includes(c.name),
    );
    const read = await Promise.all(
      clusters.map(async c => {
        try {
          const metadata = await this.metadataOf(c, namespace);
          return {
            cluster: c.name,
            exists: metadata !== undefined,
            owners: metadata ? ownersOnNamespace(metadata) : undefined,
          };
        } catch (e) {
          throw new ServiceUnavailableError(
            `cannot read namespace ${namespace} on cluster ${
              c.name
            } to learn who owns it (${describeClusterError(e)})`,
          );
        }
      }),
    );
    const bound = read.filter(r => r.owners);
    if (!bound.length) return undefined;
    const key = (owners?: string[]) => owners?.join(',') ?? '(none)';
    // A cluster without the namespace has no say; every cluster that has it must say the same.
    if (read.some(r => r.exists && key(r.owners) !== key(bound[0].owners)))
      throw new ConflictError(
        `namespace ${namespace} of mesh ${
          mesh.id
        } is bound to different owners on its config clusters (${read
          .filter(r => r.exists)
          .map(r => `${r.cluster}: ${key(r.owners)}`)
          .join('; ')}); the platform team must make them agree`,
      );
    return {
      owners: bound[0].owners!,
      source: `the ${NAMESPACE_OWNERS_ANNOTATION} annotation or ${NAMESPACE_OWNER_LABEL} label of namespace ${namespace}`,
    };
  }
}
