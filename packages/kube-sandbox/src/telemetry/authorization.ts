type KubeObject = Record<string, any>;

/** What the destination proxy knows of a request when it judges it. */
export interface AuthorizedRequest {
  /** The caller's verified identity without `spiffe://`, e.g. cluster.local/ns/bookinfo/sa/productpage. */
  principal: string;
  method: string;
  path: string;
}

/** The workload receiving it: its namespace and its pods' labels. */
export interface AuthorizedWorkload {
  namespace: string;
  labels: Record<string, string>;
}

/** Istio's string match: exact, `prefix*`, `*suffix`, or `*`. */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** A field's values and its `not` values: some value matches and no `not` value does. */
function field(
  values: string[] | undefined,
  notValues: string[] | undefined,
  value: string | undefined,
): boolean {
  if (values && (value === undefined || !values.some(v => matches(v, value))))
    return false;
  if (
    notValues &&
    value !== undefined &&
    notValues.some(v => matches(v, value))
  )
    return false;
  return true;
}

const namespaceOf = (principal: string) =>
  /\/ns\/([^/]+)\/sa\//.exec(principal)?.[1];
const serviceAccountOf = (principal: string) => {
  const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  return m ? `${m[1]}/${m[2]}` : undefined;
};

/**
 * Whether a rule asks for what the model's requests do not carry (IPs, JWTs, ports, hosts,
 * conditions). Istio errs safe with what it cannot judge, and so does the sandbox: such an ALLOW
 * rule admits nothing, such a DENY rule refuses everything it could apply to.
 */
function unjudgeable(rule: KubeObject): boolean {
  if (rule.when?.length) return true;
  const sources: KubeObject[] = (rule.from ?? []).map(
    (f: KubeObject) => f.source ?? {},
  );
  const operations: KubeObject[] = (rule.to ?? []).map(
    (t: KubeObject) => t.operation ?? {},
  );
  return (
    sources.some(
      s =>
        s.ipBlocks ||
        s.notIpBlocks ||
        s.remoteIpBlocks ||
        s.notRemoteIpBlocks ||
        s.requestPrincipals ||
        s.notRequestPrincipals,
    ) || operations.some(o => o.ports || o.notPorts || o.hosts || o.notHosts)
  );
}

function sourceMatches(source: KubeObject, request: AuthorizedRequest) {
  const p = request.principal;
  return (
    field(source.principals, source.notPrincipals, p) &&
    field(source.namespaces, source.notNamespaces, namespaceOf(p)) &&
    field(
      source.serviceAccounts,
      source.notServiceAccounts,
      serviceAccountOf(p),
    ) &&
    field(source.trustDomains, source.notTrustDomains, p.split('/')[0])
  );
}

function operationMatches(operation: KubeObject, request: AuthorizedRequest) {
  return (
    field(operation.methods, operation.notMethods, request.method) &&
    field(operation.paths, operation.notPaths, request.path)
  );
}

/** A rule matches when its from, to and when all do; an empty part matches anything. */
function ruleMatches(
  rule: KubeObject,
  request: AuthorizedRequest,
  action: string,
): boolean {
  if (unjudgeable(rule)) return action === 'DENY';
  const from: KubeObject[] = rule.from ?? [];
  const to: KubeObject[] = rule.to ?? [];
  return (
    (!from.length || from.some(f => sourceMatches(f.source ?? {}, request))) &&
    (!to.length || to.some(t => operationMatches(t.operation ?? {}, request)))
  );
}

/** Whether a policy applies to the workload: its namespace (or the root's), and its selector. */
function appliesTo(
  policy: KubeObject,
  workload: AuthorizedWorkload,
  rootNamespace: string,
): boolean {
  const ns = policy.metadata?.namespace;
  if (ns !== workload.namespace && ns !== rootNamespace) return false;
  // targetRefs bind a policy to a Gateway or waypoint, not to a sidecar's workload.
  if (policy.spec?.targetRef || policy.spec?.targetRefs) return false;
  const selector: Record<string, string> =
    policy.spec?.selector?.matchLabels ?? {};
  return Object.entries(selector).every(([k, v]) => workload.labels[k] === v);
}

/**
 * Istio's decision at the destination's sidecar: a DENY policy that matches refuses; otherwise,
 * when ALLOW policies apply to the workload, one of their rules must match; with none, all pass.
 * CUSTOM and AUDIT policies do not decide here.
 */
export function authorize(
  policies: KubeObject[],
  workload: AuthorizedWorkload,
  request: AuthorizedRequest,
  rootNamespace = 'istio-system',
): boolean {
  const applying = policies.filter(p => appliesTo(p, workload, rootNamespace));
  const actionOf = (p: KubeObject) => p.spec?.action ?? 'ALLOW';
  const anyRule = (p: KubeObject) =>
    (p.spec?.rules ?? []).some((r: KubeObject) =>
      ruleMatches(r, request, actionOf(p)),
    );
  if (applying.filter(p => actionOf(p) === 'DENY').some(anyRule)) return false;
  const allows = applying.filter(p => actionOf(p) === 'ALLOW');
  return !allows.length || allows.some(anyRule);
}
