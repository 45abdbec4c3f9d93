import { Config } from '@backstage/config';
import {
  MeshAuthStrategy,
  MeshClusterSupplier,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { builtInAuthStrategies } from '../auth/builtInAuthStrategies';
import { kubernetesConfigClusters } from './kubernetesConfigClusters';
import { MeshConfigError } from './MeshConfigError';
import { SuppliedCluster } from './readConnection';

/** What backend modules added through the mesh extension points, joined with what is built in. */
export class MeshExtensions {
  private readonly strategies = new Map<string, MeshAuthStrategy>();
  private readonly suppliers: MeshClusterSupplier[] = [];

  addAuthStrategy(key: string, strategy: MeshAuthStrategy) {
    if (!/^[A-Za-z][\w.-]*$/.test(key))
      throw new MeshConfigError(
        `auth strategy key "${key}" must be a word (letters, digits, _ . -)`,
      );
    if (this.strategies.has(key))
      throw new MeshConfigError(
        `two modules add an auth strategy for authProvider "${key}"`,
      );
    this.strategies.set(key, strategy);
  }

  addClusterSupplier(supplier: MeshClusterSupplier) {
    this.suppliers.push(supplier);
  }

  /** The strategies by key and every supplied cluster: the Kubernetes plugin's config first, then modules'. */
  async resolve(config: Config): Promise<{
    authStrategies: Record<string, MeshAuthStrategy>;
    suppliedClusters: SuppliedCluster[];
  }> {
    const builtIn = builtInAuthStrategies(config);
    for (const key of this.strategies.keys()) {
      if (key in builtIn)
        throw new MeshConfigError(
          `a module adds an auth strategy for authProvider "${key}", which is built in`,
        );
    }
    const supplied = await Promise.all(
      this.suppliers.map(async supplier =>
        (
          await supplier.getClusters()
        ).map(c => ({
          ...c,
          source: `${supplier.source} cluster "${c.name}"`,
        })),
      ),
    );
    return {
      authStrategies: { ...builtIn, ...Object.fromEntries(this.strategies) },
      suppliedClusters: [
        ...kubernetesConfigClusters(config),
        ...supplied.flat(),
      ],
    };
  }
}
