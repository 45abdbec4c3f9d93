import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { RoutingObject } from '../generate/istioTypes';

/** Throws with the schema's message when an object breaks Istio's CRD schema. */
export function assertIstioSchema(obj: RoutingObject) {
  const model =
    obj.kind === 'VirtualService' ? new VirtualService(obj as any) : new DestinationRule(obj as any);
  model.validate();
}
