import { MeshTarget } from '../entity/target';
import { generateGatewayRouting } from '../gateway/generateGateway';
import { TrafficIntent } from '../intent/schema';
import { generateIstioRouting } from './generate';
import { RoutingObject } from './istioTypes';

/**
 * The routing objects for one config cluster, in apply order, written in the routing API of the
 * target's mesh: a DestinationRule then a VirtualService for `istio` (the default); version
 * Services, their DestinationRules, then an HTTPRoute for `gateway-api`. The intent must have
 * passed validateIntent for that API.
 *
 * @public
 */
export function generateRouting(
  target: MeshTarget,
  intent: TrafficIntent,
): RoutingObject[] {
  return target.routingApi === 'gateway-api'
    ? generateGatewayRouting(target, intent)
    : generateIstioRouting(target, intent);
}

/**
 * The same objects for every config cluster: each primary's istiod reads only its own API server.
 *
 * @public
 */
export function generateForClusters(
  target: MeshTarget,
  intent: TrafficIntent,
  configClusters: string[],
): Array<{ cluster: string; objects: RoutingObject[] }> {
  const objects = generateRouting(target, intent);
  return configClusters.map(cluster => ({ cluster, objects }));
}
