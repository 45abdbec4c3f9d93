import { RoutingApi } from '@meshtraffic/backstage-plugin-mesh-common';
import { createContext, ReactNode, useContext } from 'react';

/** What a mesh on Gateway API cannot write, each with the sentence the UI shows beside the control. */
const GATEWAY_API_LIMITS = {
  fault:
    'This mesh writes Gateway API (HTTPRoute), whose standard channel has no fault injection; faults need a mesh on Istio’s API.',
  retries:
    'This mesh writes Gateway API (HTTPRoute), whose standard channel has no retries; Istio’s default retry policy applies.',
  cluster:
    'This mesh writes Gateway API: a route sends to a version’s Service, which selects its pods in every cluster, so a split cannot be narrowed to a cluster.',
  sourceCluster:
    'This mesh writes Gateway API, which matches requests, not the cluster they come from: caller-cluster routes need a mesh on Istio’s API.',
  headerPrefix:
    'Gateway API matches headers exactly or by regular expression, not by prefix.',
} as const;

export type GatewayApiLimit = keyof typeof GATEWAY_API_LIMITS;

const RoutingApiContext = createContext<RoutingApi>('istio');

/** The routing API of the entity's mesh, for every control below it. */
export const RoutingApiProvider = (props: {
  routingApi: RoutingApi;
  children: ReactNode;
}) => (
  <RoutingApiContext.Provider value={props.routingApi}>
    {props.children}
  </RoutingApiContext.Provider>
);

/** The routing API of the entity's mesh. */
export const useRoutingApi = () => useContext(RoutingApiContext);

/** Why a capability is off on this mesh (its routing API cannot express it), or undefined when it is on. */
export function useUnsupported(limit: GatewayApiLimit): string | undefined {
  return useRoutingApi() === 'gateway-api'
    ? GATEWAY_API_LIMITS[limit]
    : undefined;
}

/** How the UI names a routing API. */
export const ROUTING_API_LABEL: Record<RoutingApi, string> = {
  istio: 'Istio API (VirtualService and DestinationRule)',
  'gateway-api':
    'Gateway API (an HTTPRoute on the Service, one Service per version)',
};
