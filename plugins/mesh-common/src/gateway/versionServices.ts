import { MeshTarget } from '../entity/target';
import { fingerprint } from '../generate/hash';
import { ServicePort } from '../generate/gatewayTypes';
import { VERSION_LABEL } from '../generate/metadata';

/** Service names are DNS-1035 labels: at most 63 characters. */
const MAX_SERVICE_NAME = 63;

/**
 * The Service that selects one version's pods: `reviews-v1`. A version that is not DNS-safe, or a
 * name too long for a Service, keeps a readable start and ends in a hash of the version, so names
 * stay valid and distinct.
 */
export function versionServiceName(service: string, version: string): string {
  const safe = version
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `${service}-${safe}`;
  if (safe === version && name.length <= MAX_SERVICE_NAME) return name;
  const hash = fingerprint(version).slice(0, 8);
  const head = name
    .slice(0, MAX_SERVICE_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** The pod labels a version Service selects on: the service's app label and the version label. */
export function versionSelector(
  target: Pick<MeshTarget, 'service' | 'appLabel' | 'versionLabel'>,
  version: string,
): Record<string, string> {
  return {
    [target.appLabel ?? 'app']: target.service,
    [target.versionLabel ?? VERSION_LABEL]: version,
  };
}

/** The port a route attaches to and sends to: the one named `http` (or `http-…`), else the first. */
export function routedPort(ports: ServicePort[]): ServicePort | undefined {
  return (
    ports.find(p => p.name === 'http' || p.name?.startsWith('http-')) ??
    ports[0]
  );
}

/** A Service port with the fields the API server would default written out, so live and generated compare equal. */
export function explicitPort(port: ServicePort): ServicePort {
  return {
    ...(port.name !== undefined ? { name: port.name } : {}),
    port: port.port,
    protocol: port.protocol ?? 'TCP',
    targetPort: port.targetPort ?? port.port,
    ...(port.appProtocol !== undefined
      ? { appProtocol: port.appProtocol }
      : {}),
  };
}
