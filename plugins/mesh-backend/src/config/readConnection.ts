import { Config } from '@backstage/config';
import {
  MeshAuthStrategy,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { kubeConfigEndpoint } from '../auth/KubeConfigStrategy';
import { MeshConfigError } from './MeshConfigError';

/**
 * A cluster a supplier gave, with where its config is (a config key) for startup messages, and why
 * the mesh backend may not use it, if so: a mesh that names it stops startup with that reason.
 *
 * @public
 */
export type SuppliedCluster = MeshClusterDetails & {
  source: string;
  refusal?: string;
};

/** What a configured cluster's connection may come from. */
export interface ClusterSources {
  strategies: Record<string, MeshAuthStrategy>;
  supplied: SuppliedCluster[];
}

/** Keys our config has always taken at the cluster's top level, kept in `authMetadata` for the strategies. */
const TOP_LEVEL_AUTH_KEYS = [
  'serviceAccountToken',
  'kubeconfigPath',
  'kubeconfigContext',
];

/** Strategies that know where their cluster is: its `url` may be left out. */
const ENDPOINT_FROM_CREDENTIALS = ['kubeconfig', 'inCluster'];

function readStringMap(c: Config, key: string): Record<string, string> {
  const map = c.getOptionalConfig(key);
  return Object.fromEntries(
    (map?.keys() ?? []).map(k => [k, map!.getString(k)]),
  );
}

/** A cluster's connection as its own config gives it (the default supplier). */
export function readConfiguredConnection(c: Config): MeshClusterDetails {
  const authMetadata = readStringMap(c, 'authMetadata');
  for (const k of TOP_LEVEL_AUTH_KEYS) {
    const value = c.getOptionalString(k);
    if (value !== undefined) authMetadata[k] = value;
  }
  return {
    name: c.getString('name'),
    url: c.getOptionalString('url') ?? '',
    authProvider: c.getString('authProvider'),
    authMetadata,
    caData: c.getOptionalString('caData'),
    caFile: c.getOptionalString('caFile'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify'),
  };
}

function checkStrategy(
  details: MeshClusterDetails,
  at: string,
  strategies: Record<string, MeshAuthStrategy>,
) {
  const strategy = strategies[details.authProvider];
  if (!strategy)
    throw new MeshConfigError(
      `${at}.authProvider "${
        details.authProvider
      }" has no auth strategy; this backend has ${Object.keys(strategies).join(
        ', ',
      )} (a backend module adds others through meshAuthStrategyExtensionPoint)`,
    );
  const [problem] = strategy.validateCluster(details);
  if (problem) throw new MeshConfigError(`${at}: ${problem.message}`);
}

/**
 * A kubeconfig (or the pod's service account) says where its cluster is and how it is trusted:
 * its CA and TLS setting apply unless the cluster's config gives its own, and its server is the
 * URL unless `url` is given.
 */
function withEndpoint(
  details: MeshClusterDetails,
  at: string,
): MeshClusterDetails {
  if (!ENDPOINT_FROM_CREDENTIALS.includes(details.authProvider)) return details;
  let endpoint;
  try {
    endpoint = kubeConfigEndpoint(details.authProvider, details.authMetadata);
  } catch (e) {
    // Only the error code: a kubeconfig parse error could quote the file's content.
    const code = (e as NodeJS.ErrnoException)?.code;
    throw new MeshConfigError(
      `${at}: cannot read the cluster's ${details.authProvider} config${
        code ? ` (${code})` : ''
      }`,
    );
  }
  const ownCa = details.caData !== undefined || details.caFile !== undefined;
  return {
    ...details,
    url: details.url || endpoint.url,
    caData: ownCa ? details.caData : endpoint.caData,
    skipTLSVerify: details.skipTLSVerify ?? endpoint.skipTLSVerify,
  };
}

function checkUrl(details: MeshClusterDetails, at: string) {
  let protocol = '';
  try {
    protocol = new URL(details.url).protocol;
  } catch {
    // not a URL: refused below
  }
  if (!['https:', 'http:'].includes(protocol))
    throw new MeshConfigError(`${at}.url must be an http(s) URL`);
  // A bearer token over plain HTTP is readable by anyone on the path: refuse to send it at all.
  if (protocol === 'http:' && details.authMetadata.serviceAccountToken)
    throw new MeshConfigError(
      `${at}.url is http: but ${at}.serviceAccountToken would be sent over it; use https`,
    );
}

/**
 * Where a `mesh.meshes[].clusters[]` entry connects and with which strategy: its own `url` and
 * `authProvider` when it gives them, else the supplied cluster of its name. Every problem stops
 * the backend at startup, naming the key.
 */
export function readConnection(
  c: Config,
  key: string,
  sources: ClusterSources,
): MeshClusterDetails {
  const name = c.getString('name');
  let details: MeshClusterDetails;
  let at = key;
  if (c.has('url') || c.has('authProvider')) {
    details = readConfiguredConnection(c);
  } else {
    const supplied = sources.supplied.find(s => s.name === name);
    if (!supplied)
      throw new MeshConfigError(
        `${key} "${name}" gives no url and authProvider, and no cluster supplier has a cluster of that name${
          sources.supplied.length
            ? ` (supplied: ${[
                ...new Set(sources.supplied.map(s => s.name)),
              ].join(', ')})`
            : ''
        }`,
      );
    const { source, refusal, ...rest } = supplied;
    if (refusal) throw new MeshConfigError(`${key} "${name}": ${refusal}`);
    details = rest;
    at = source;
  }
  checkStrategy(details, at, sources.strategies);
  details = withEndpoint(details, at);
  checkUrl(details, at);
  return details;
}
