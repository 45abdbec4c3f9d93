/** A resource type the sandbox serves, as discovery describes it. */
export interface ResourceType {
  group: string; // '' for the core group
  versions: string[]; // served versions; the first is the storage version
  resource: string; // plural
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** The CRD name whose schema validates it, when there is one. */
  crd?: string;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];
export { VERBS };

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    versions: ['v1'],
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
  },
  {
    // Argo Rollouts' CRD, served when a topology's workload is a Rollout (no schema is checked).
    group: 'argoproj.io',
    versions: ['v1alpha1'],
    resource: 'rollouts',
    singular: 'rollout',
    kind: 'Rollout',
    namespaced: true,
    shortNames: ['ro'],
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    resource: 'virtualservices',
    singular: 'virtualservice',
    kind: 'VirtualService',
    namespaced: true,
    shortNames: ['vs'],
    crd: 'virtualservices.networking.istio.io',
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    resource: 'destinationrules',
    singular: 'destinationrule',
    kind: 'DestinationRule',
    namespaced: true,
    shortNames: ['dr'],
    crd: 'destinationrules.networking.istio.io',
  },
  {
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    resource: 'serviceentries',
    singular: 'serviceentry',
    kind: 'ServiceEntry',
    namespaced: true,
    shortNames: ['se'],
    crd: 'serviceentries.networking.istio.io',
  },
  {
    group: 'security.istio.io',
    versions: ['v1', 'v1beta1'],
    resource: 'authorizationpolicies',
    singular: 'authorizationpolicy',
    kind: 'AuthorizationPolicy',
    namespaced: true,
    shortNames: ['ap'],
    crd: 'authorizationpolicies.security.istio.io',
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    resource: 'httproutes',
    singular: 'httproute',
    kind: 'HTTPRoute',
    namespaced: true,
    crd: 'httproutes.gateway.networking.k8s.io',
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: ['v1'],
    resource: 'grpcroutes',
    singular: 'grpcroute',
    kind: 'GRPCRoute',
    namespaced: true,
    crd: 'grpcroutes.gateway.networking.k8s.io',
  },
  {
    group: 'gateway.networking.k8s.io',
    versions: ['v1beta1', 'v1'],
    resource: 'referencegrants',
    singular: 'referencegrant',
    kind: 'ReferenceGrant',
    namespaced: true,
    crd: 'referencegrants.gateway.networking.k8s.io',
  },
];

export function groupVersion(group: string, version: string) {
  return group ? `${group}/${version}` : version;
}

export function findResource(
  group: string,
  version: string,
  resource: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    r =>
      r.group === group &&
      r.resource === resource &&
      r.versions.includes(version),
  );
}
