import { IssueCollector, Path } from './issues';
import { Access, AccessCaller } from './schema';

/**
 * The trust domain a mesh's workloads carry in their SPIFFE identities when the mesh names none
 * (Istio's default).
 *
 * @public
 */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const HTTP_METHOD = /^[A-Z]+$/;

/**
 * A principal as Istio writes it for a service account: `<trust domain>/ns/<namespace>/sa/<name>`.
 *
 * @public
 */
export function servicePrincipal(
  trustDomain: string,
  serviceAccount: string,
): string {
  const [namespace, name] = serviceAccount.split('/');
  return `${trustDomain}/ns/${namespace}/sa/${name}`;
}

/**
 * The service account (`namespace/name`) a principal of this trust domain names, if it names one.
 *
 * @public
 */
export function serviceAccountOf(
  principal: string,
  trustDomain: string,
): string | undefined {
  const prefix = `${trustDomain}/ns/`;
  if (!principal.startsWith(prefix)) return undefined;
  const m = /^([^/]+)\/sa\/([^/]+)$/.exec(principal.slice(prefix.length));
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** Istio matches a value exactly, by prefix (`abc*`), by suffix (`*abc`), or any (`*`). */
function wildcardProblem(value: string): string | undefined {
  const inner = value.slice(1, -1);
  if (inner.includes('*'))
    return 'may hold * only at its start or its end (Istio matches exactly, by prefix or by suffix)';
  if (value.length > 1 && value.startsWith('*') && value.endsWith('*'))
    return 'may hold * at its start or its end, not both';
  return undefined;
}

function checkCaller(
  issues: IssueCollector,
  at: Path,
  caller: AccessCaller,
  trustDomain: string,
) {
  const given = (['serviceAccount', 'principal', 'namespace'] as const).filter(
    k => caller[k] !== undefined,
  );
  if (given.length !== 1) {
    issues.add(
      at,
      `give exactly one of serviceAccount, principal or namespace${
        given.length ? ` (given: ${given.join(', ')})` : ''
      }`,
    );
    return;
  }
  const { serviceAccount, principal, namespace } = caller;
  if (serviceAccount !== undefined) {
    const [ns, name, ...rest] = serviceAccount.split('/');
    if (
      rest.length ||
      !ns ||
      !name ||
      !DNS_LABEL.test(ns) ||
      !DNS_SUBDOMAIN.test(name)
    )
      issues.add(
        [...at, 'serviceAccount'],
        'must be namespace/name of a Kubernetes service account, e.g. bookinfo/bookinfo-productpage',
      );
  }
  if (namespace !== undefined && !DNS_LABEL.test(namespace))
    issues.add(
      [...at, 'namespace'],
      'must be a Kubernetes namespace name (lower case letters, digits and -)',
    );
  if (principal !== undefined) {
    const problem = principalProblem(principal, trustDomain);
    if (problem) issues.add([...at, 'principal'], problem);
  }
}

function principalProblem(
  principal: string,
  trustDomain: string,
): string | undefined {
  if (!principal.trim()) return 'must not be empty';
  if (/\s/.test(principal)) return 'must not hold spaces';
  if (principal.startsWith('spiffe://'))
    return 'drop the spiffe:// prefix: Istio matches principals without it';
  const account = serviceAccountOf(principal, trustDomain);
  // One way to write each caller, so that the policy read back is the intent that wrote it; a
  // wildcard (`.../sa/api-*`) is no service account and stays a principal.
  if (account && !account.includes('*'))
    return `names service account ${account} of this mesh (trust domain ${trustDomain}): give it as serviceAccount: ${account}`;
  return wildcardProblem(principal);
}

/**
 * Istio's rules for an access part, besides its schema: one kind of caller per entry, names
 * Kubernetes accepts, principals Istio can match, HTTP methods and paths as Istio matches them.
 */
export function checkAccess(
  issues: IssueCollector,
  access: Access | undefined,
  trustDomain: string = DEFAULT_TRUST_DOMAIN,
) {
  if (!access) return;
  access.rules.forEach((rule, i) => {
    const at = ['access', 'rules', i];
    rule.from.forEach((caller, j) =>
      checkCaller(issues, [...at, 'from', j], caller, trustDomain),
    );
    rule.methods?.forEach((method, j) => {
      if (!HTTP_METHOD.test(method))
        issues.add(
          [...at, 'methods', j],
          'must be an HTTP method in capitals, e.g. GET',
        );
    });
    rule.paths?.forEach((path, j) => {
      const problem =
        path === '*' || path.startsWith('/') || path.startsWith('*')
          ? wildcardProblem(path)
          : 'must start with / (or be a suffix match such as */health)';
      if (problem) issues.add([...at, 'paths', j], problem);
    });
  });
}
