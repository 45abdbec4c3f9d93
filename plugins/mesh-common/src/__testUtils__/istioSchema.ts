import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { RoutingObject } from '../generate/istioTypes';

/**
 * Throws with the schema's message when an object breaks Istio's CRD schema (an
 * AuthorizationPolicy under security.istio.io's). The CommonJS build
 * of @kubernetes-models/istio (2.x; 3.x is ESM-only, which jest cannot load) ships v1beta1, whose
 * schema Istio serves unchanged as v1, so the object is checked under that version.
 */
export function assertIstioSchema(obj: RoutingObject) {
  if (obj.kind === 'AuthorizationPolicy') {
    new AuthorizationPolicy({
      ...obj,
      apiVersion: 'security.istio.io/v1beta1',
    } as any).validate();
    return;
  }
  const asV1beta1 = {
    ...obj,
    apiVersion: 'networking.istio.io/v1beta1',
  } as any;
  const model =
    obj.kind === 'VirtualService'
      ? new VirtualService(asV1beta1)
      : new DestinationRule(asV1beta1);
  model.validate();
}
