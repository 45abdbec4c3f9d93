import { explicitPort } from '../gateway/versionServices';
import { canonicalJson } from '../generate/hash';
import { RoutingObject } from '../generate/istioTypes';

/**
 * An object's spec as one comparable string, limited to what the product decides: of a Service,
 * its selector and ports (the API server adds a cluster IP, a type and more); of the others, all of it.
 *
 * @public
 */
export function comparableSpec(obj: RoutingObject): string {
  if (obj.kind !== 'Service') return canonicalJson(obj.spec);
  return canonicalJson({
    selector: obj.spec.selector ?? {},
    ports: (obj.spec.ports ?? []).map(explicitPort),
  });
}
