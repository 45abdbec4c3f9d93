import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { MeshConfig, namespaceOwners } from '../config/readMeshConfig';
import { describeClusterError } from '../kubernetes/clusterErrors';
import { ClusterRegistry } from '../service/ClusterRegistry';

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

const GROUP_REF = /^group:[^/\s]+\/[^/\s]+$/;

/** `team`, `ns/team` or `group:ns/team`, as a full group ref; undefined when it is none. */
function groupRef(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const ref = v.startsWith('group:')
    ? v
    : `group:${v.includes('/') ? v : `default/${v}`}`;
  return GROUP_REF.test(ref) ? ref.toLocaleLowerCase('en-US') : undefined;
}

/** The owners a namespace's metadata names, sorted, or undefined when it names none. */
export function ownersOnNamespace(metadata: {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}): string[] | undefined {
  const named = [
    ...(metadata.annotations[NAMESPACE_OWNERS_ANNOTATION]?.split(',') ?? []),
    ...(metadata.labels[NAMESPACE_OWNER_LABEL] !== undefined
      ? [metadata.labels[NAMESPACE_OWNER_LABEL]]
      : []),
  ];
  const owners = [
    ...new Set(named.map(groupRef).filter((r): r is string => Boolean(r))),
  ].sort();
  // Named but unreadable (a typo): bound to nobody rather than to everybody.
  if (named.some(n => n.trim()) && !owners.length) return ['(unreadable)'];
  return owners.length ? owners : undefined;
}

/**
 * Who a namespace belongs to: `mesh.meshes[].namespaces[].owners` when the config binds it, else
 * the namespace itself on the mesh's config clusters (the clusters where its routing is written).
 * Both are the platform team's, never a catalog entity's to grant itself. It fails closed: a
 * config cluster that cannot be read, or config clusters that name different owners, refuse the
 * write rather than guess.
 */
export class NamespaceBindings {
  constructor(private readonly registry: Pick<ClusterRegistry, 'client'>) {}

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
          const metadata = await this.registry
            .client(c)
            .namespaceMetadata(namespace);
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
