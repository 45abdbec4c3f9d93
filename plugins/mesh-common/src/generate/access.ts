import { appLabelOf, MeshTarget } from '../entity/target';
import {
  DEFAULT_TRUST_DOMAIN,
  serviceAccountOf,
  servicePrincipal,
} from '../intent/accessRules';
import { Access, AccessCaller, TrafficIntent } from '../intent/schema';
import {
  AuthorizationPolicyObject,
  AuthorizationRule,
  AuthorizationSource,
  ObjectMeta,
} from './istioTypes';
import { ISTIO_SECURITY_API_VERSION } from './metadata';

const trustDomainOf = (target: Pick<MeshTarget, 'trustDomain'>) =>
  target.trustDomain ?? DEFAULT_TRUST_DOMAIN;

/** One `from` entry per caller, in the intent's order, so the policy reads back as written. */
function sourceOf(caller: AccessCaller, trustDomain: string) {
  const source: AuthorizationSource = caller.namespace
    ? { namespaces: [caller.namespace] }
    : {
        principals: [
          caller.serviceAccount
            ? servicePrincipal(trustDomain, caller.serviceAccount)
            : caller.principal!,
        ],
      };
  return { source };
}

/**
 * The AuthorizationPolicy an intent's access part is written as: ALLOW, on the service's
 * workloads (its app label), under the service's name, one rule per intent rule.
 *
 * @public
 */
export function generateAuthorizationPolicy(
  target: MeshTarget,
  access: Access,
  meta: ObjectMeta,
): AuthorizationPolicyObject {
  const trustDomain = trustDomainOf(target);
  const rules = access.rules.map(rule => {
    const out: AuthorizationRule = {
      from: rule.from.map(c => sourceOf(c, trustDomain)),
    };
    if (rule.methods || rule.paths)
      out.to = [
        {
          operation: {
            ...(rule.methods ? { methods: [...rule.methods] } : {}),
            ...(rule.paths ? { paths: [...rule.paths] } : {}),
          },
        },
      ];
    return out;
  });
  return {
    apiVersion: ISTIO_SECURITY_API_VERSION,
    kind: 'AuthorizationPolicy',
    metadata: meta,
    spec: {
      selector: { matchLabels: { [appLabelOf(target)]: target.service } },
      action: 'ALLOW',
      rules,
    },
  };
}

/**
 * The access objects of an intent for one config cluster: its AuthorizationPolicy, when it has an
 * access part. Written last and removed first of a host's objects (APPLY_RANK).
 *
 * @public
 */
export function generateAccess(
  target: MeshTarget,
  intent: TrafficIntent,
  meta: ObjectMeta,
): AuthorizationPolicyObject[] {
  return intent.access
    ? [generateAuthorizationPolicy(target, intent.access, meta)]
    : [];
}

/**
 * What an AuthorizationPolicy cannot say as an intent's access part.
 *
 * @public
 */
export class AccessParseError extends Error {}

function callerOf(
  source: AuthorizationSource | undefined,
  trustDomain: string,
): AccessCaller {
  const keys = Object.keys(source ?? {});
  const principals = source?.principals;
  const namespaces = source?.namespaces;
  if (keys.length === 1 && principals?.length === 1) {
    const account = serviceAccountOf(principals[0], trustDomain);
    return account && !account.includes('*')
      ? { serviceAccount: account }
      : { principal: principals[0] };
  }
  if (keys.length === 1 && namespaces?.length === 1)
    return { namespace: namespaces[0] };
  throw new AccessParseError(
    `a source (${JSON.stringify(
      source ?? {},
    )}) is not one principal or one namespace`,
  );
}

/**
 * Reads an intent's access part back from the policy that wrote it. Fields the intent does not
 * hold are left for the caller's comparison with what the access part generates.
 *
 * @public
 */
export function parseAuthorizationPolicy(
  policy: AuthorizationPolicyObject,
  target: Pick<MeshTarget, 'trustDomain'>,
): Access {
  const { spec } = policy;
  if ((spec.action ?? 'ALLOW') !== 'ALLOW')
    throw new AccessParseError(`its action is ${spec.action}, not ALLOW`);
  const trustDomain = trustDomainOf(target);
  return {
    rules: (spec.rules ?? []).map(rule => {
      const operation = rule.to?.[0]?.operation;
      return {
        from: (rule.from ?? []).map(f => callerOf(f.source, trustDomain)),
        ...(operation?.methods ? { methods: [...operation.methods] } : {}),
        ...(operation?.paths ? { paths: [...operation.paths] } : {}),
      };
    }),
  };
}

/** The intent with the access part a policy gives, when there is one. */
export function withAccess(
  intent: TrafficIntent,
  access: Access | undefined,
): TrafficIntent {
  return access ? { ...intent, access } : intent;
}

/**
 * The ALLOW policies other than the service's own that may select its workloads: one with no
 * selector (the whole namespace), or whose selector does not rule the service out by its app
 * label. While any does, lifting the service's own policy lets in only what they admit, not
 * everyone. Names as `AuthorizationPolicy namespace/name`.
 *
 * @public
 */
export function otherAllowPolicies(
  target: Pick<MeshTarget, 'namespace' | 'service' | 'appLabel'>,
  objects: Array<{ kind: string; metadata: ObjectMeta; spec?: any }>,
): string[] {
  const app = appLabelOf(target);
  return objects
    .filter(
      o =>
        o.kind === 'AuthorizationPolicy' &&
        o.metadata.namespace === target.namespace &&
        o.metadata.name !== target.service &&
        (o.spec?.action ?? 'ALLOW') === 'ALLOW' &&
        !o.spec?.targetRef &&
        !o.spec?.targetRefs,
    )
    .filter(o => {
      const labels: Record<string, string> =
        o.spec?.selector?.matchLabels ?? {};
      return labels[app] === undefined || labels[app] === target.service;
    })
    .map(o => `AuthorizationPolicy ${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
}
