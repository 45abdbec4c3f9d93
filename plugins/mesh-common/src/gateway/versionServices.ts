import { appLabelOf, MeshTarget } from '../entity/target';
import { boundedName, dnsSafe, MAX_DNS_LABEL } from '../generate/subsets';
import { ServicePort } from '../generate/gatewayTypes';
import { VERSION_LABEL } from '../generate/metadata';

/**
 * The Service that selects one version's pods: `reviews-v1`. A version that is not DNS-safe, or a
 * name too long for a Service (a DNS-1035 label), keeps a readable start and ends in a hash of the
 * version, as subset names do.
 *
 * @public
 */
export function versionServiceName(service: string, version: string): string {
  const safe = dnsSafe(version);
  const name = `${service}-${safe}`;
  return boundedName(
    name,
    version,
    safe === version && name.length <= MAX_DNS_LABEL,
  );
}

/**
 * The pod labels a version Service selects on: the service's app label and the version label.
 *
 * @public
 */
export function versionSelector(
  target: Pick<MeshTarget, 'service' | 'appLabel' | 'versionLabel'>,
  version: string,
): Record<string, string> {
  return {
    [appLabelOf(target)]: target.service,
    [target.versionLabel ?? VERSION_LABEL]: version,
  };
}

/**
 * The port a route attaches to and sends to: the one named `http` (or `http-…`), else the first.
 *
 * @public
 */
export function routedPort(ports: ServicePort[]): ServicePort | undefined {
  return (
    ports.find(p => p.name === 'http' || p.name?.startsWith('http-')) ??
    ports[0]
  );
}

/**
 * A Service port with the fields the API server would default written out, so live and generated compare equal.
 *
 * @public
 */
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
