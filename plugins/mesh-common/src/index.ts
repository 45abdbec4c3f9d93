/**
 * Isomorphic core of the mesh traffic plugins: the traffic intent and its validation, placement on
 * a mesh's clusters, generation of Istio routing objects, parsing them back, plan diffs,
 * permissions and the REST API's types.
 *
 * @packageDocumentation
 */
export * from './intent/schema';
export * from './intent/duration';
export {
  DEFAULT_TRUST_DOMAIN,
  servicePrincipal,
  serviceAccountOf,
} from './intent/accessRules';
export * from './intent/accessMatch';
export * from './intent/validate';
export * from './intent/analysisLimits';
export * from './intent/expiry';
export type { IssueCollector, Path } from './intent/issues';
export * from './intent/workloads';
export * from './intent/changes';
export * from './intent/changeSchema';
export * from './intent/summary';
export * from './intent/callerRoutes';
export * from './intent/apportion';
export * from './placement/topology';
export * from './placement/placement';
export * from './generate/metadata';
export * from './generate/hash';
export * from './generate/istioTypes';
export * from './generate/subsets';
export * from './generate/generate';
export * from './generate/routing';
export {
  AccessParseError,
  generateAccess,
  generateAuthorizationPolicy,
  otherAllowPolicies,
  parseAuthorizationPolicy,
} from './generate/access';
export * from './generate/gatewayTypes';
export * from './gateway/generateGateway';
export * from './gateway/versionServices';
export * from './gateway/parseGateway';
export * from './gateway/gatewayRules';
export * from './generate/transition';
export * from './parse/parse';
export * from './parse/classify';
export * from './parse/gitOps';
export * from './parse/comparable';
export * from './diff/objectDiff';
export * from './diff/planYaml';
export * from './entity/target';
export * from './permissions';
export * from './api/types';
export * from './api/requests';
export * from './api/responses';
export * from './api/observedResponses';
export * from './api/rollout';
export * from './api/client';
