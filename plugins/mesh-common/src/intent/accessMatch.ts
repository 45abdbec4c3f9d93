import { servicePrincipal } from './accessRules';
import { Access, AccessCaller } from './schema';

/**
 * How an access part treats a caller seen in the telemetry: let in for every request, let in only
 * for some methods or paths (`limited`), or answered 403.
 *
 * @public
 */
export type Admission = 'admitted' | 'limited' | 'denied';

/** Istio's string match for principals: exact, `prefix*`, `*suffix`, or `*` for any. */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** The namespace Istio reads from a principal (`<td>/ns/<namespace>/sa/<name>`). */
function namespaceOf(principal: string): string | undefined {
  return /\/ns\/([^/]+)\/sa\//.exec(principal)?.[1];
}

function callerMatches(
  caller: AccessCaller,
  principal: string,
  trustDomain: string,
): boolean {
  if (caller.serviceAccount)
    return servicePrincipal(trustDomain, caller.serviceAccount) === principal;
  if (caller.principal) return matches(caller.principal, principal);
  return caller.namespace !== undefined
    ? namespaceOf(principal) === caller.namespace
    : false;
}

/**
 * Whether an access part lets a caller in, as the service's proxy would judge it. `principal` is
 * the caller's verified identity (`spiffe://` or not); a caller without one (not on mutual TLS)
 * matches no rule, since principals and namespaces are read from the peer's certificate.
 *
 * @public
 */
export function admissionOf(
  access: Access,
  principal: string | undefined,
  trustDomain: string,
): Admission {
  if (!principal) return 'denied';
  const bare = principal.replace(/^spiffe:\/\//, '');
  let limited = false;
  for (const rule of access.rules) {
    if (!rule.from.some(c => callerMatches(c, bare, trustDomain))) continue;
    if (!rule.methods && !rule.paths) return 'admitted';
    limited = true;
  }
  return limited ? 'limited' : 'denied';
}
