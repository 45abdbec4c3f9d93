import { Config } from '@backstage/config';
import {
  MeshAuthStrategy,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { AwsIamStrategy } from './AwsIamStrategy';
import { AzureStrategy } from './AzureStrategy';
import { GoogleStrategy } from './GoogleStrategy';
import { KubeConfigStrategy } from './KubeConfigStrategy';
import { ServiceAccountStrategy } from './ServiceAccountStrategy';

/** A strategy made on first use, so a backend without such clusters never reads its cloud's config. */
function lazily(make: () => MeshAuthStrategy): MeshAuthStrategy {
  let strategy: MeshAuthStrategy | undefined;
  const get = () => (strategy ??= make());
  return {
    getCredential: (cluster: MeshClusterDetails) =>
      get().getCredential(cluster),
    validateCluster: (cluster: MeshClusterDetails) =>
      get().validateCluster(cluster),
  };
}

/** The `authProvider` keys every mesh backend has, before modules add theirs. */
export const BUILT_IN_AUTH_PROVIDERS = [
  'serviceAccount',
  'kubeconfig',
  'inCluster',
  'google',
  'aws',
  'azure',
] as const;

/**
 * The built-in strategies. `inCluster` is used only for clusters that name it: a backend never
 * falls back to its pod's own credentials.
 */
export function builtInAuthStrategies(
  config: Config,
): Record<string, MeshAuthStrategy> {
  return {
    serviceAccount: new ServiceAccountStrategy(),
    kubeconfig: new KubeConfigStrategy('kubeconfig'),
    inCluster: new KubeConfigStrategy('inCluster'),
    google: lazily(() =>
      GoogleStrategy.withCredentials(
        config.getOptionalString('mesh.googleServiceAccountCredentials') ??
          config.getOptionalString(
            'kubernetes.googleServiceAccountCredentials',
          ),
      ),
    ),
    aws: lazily(() => AwsIamStrategy.fromConfig(config)),
    azure: new AzureStrategy(),
  };
}
