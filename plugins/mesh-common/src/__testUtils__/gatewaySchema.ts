// Tests only (a devDependency, never in the bundle): the sandbox judges objects by the CRDs as a cluster would.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { CrdValidator } from '@meshtraffic/kube-sandbox';
import { RoutingObject } from '../generate/istioTypes';

const validator = CrdValidator.fromFiles();

const CRDS: Record<string, { crd: string; version: string }> = {
  HTTPRoute: { crd: 'httproutes.gateway.networking.k8s.io', version: 'v1' },
  DestinationRule: {
    crd: 'destinationrules.networking.istio.io',
    version: 'v1',
  },
  AuthorizationPolicy: {
    crd: 'authorizationpolicies.security.istio.io',
    version: 'v1',
  },
};

/** A DNS-1035 label: what a Service's name must be. */
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Throws when an object is not what a cluster with Gateway API's and Istio's CRDs installed would
 * admit (schemas and CEL rules, as the sandbox judges them), or when the API server's defaults
 * would change it: the generator writes every defaulted field, so live and generated compare equal.
 */
export function assertAdmitted(obj: RoutingObject) {
  if (obj.kind === 'Service') {
    if (!DNS_1035.test(obj.metadata.name) || obj.metadata.name.length > 63)
      throw new Error(
        `Service name ${obj.metadata.name} is not a DNS-1035 label`,
      );
    return;
  }
  const { crd, version } = CRDS[obj.kind] ?? {};
  if (!crd) throw new Error(`no CRD judges ${obj.kind}`);
  const copy = JSON.parse(JSON.stringify(obj));
  validator.applyDefaults(crd, version, copy);
  const causes = validator.validate(crd, version, copy);
  if (causes.length)
    throw new Error(`${obj.kind} refused: ${JSON.stringify(causes, null, 1)}`);
  expect(copy).toEqual(JSON.parse(JSON.stringify(obj)));
}
