import { authorize } from './authorization';

const reviews = {
  namespace: 'bookinfo',
  labels: { app: 'reviews', version: 'v1' },
};
const get = (principal: string) => ({ principal, method: 'GET', path: '/' });
const productpage = get('cluster.local/ns/bookinfo/sa/productpage');
const policy = (
  spec: Record<string, any>,
  namespace = 'bookinfo',
  name = 'p',
) => ({ metadata: { name, namespace }, spec });
const allowFrom = (source: Record<string, any>, extra = {}) =>
  policy({
    selector: { matchLabels: { app: 'reviews' } },
    action: 'ALLOW',
    rules: [{ from: [{ source }], ...extra }],
  });

describe("Istio's authorization at the destination, as the sandbox enforces it", () => {
  it('lets everyone in while no ALLOW policy applies to the workload', () => {
    expect(authorize([], reviews, productpage)).toBe(true);
    const elsewhere = policy({
      selector: { matchLabels: { app: 'ratings' } },
      rules: [{ from: [{ source: { principals: ['nobody'] } }] }],
    });
    expect(authorize([elsewhere], reviews, productpage)).toBe(true);
  });

  it('lets in only what an applying ALLOW policy admits, by principal, namespace or service account', () => {
    for (const source of [
      { principals: ['cluster.local/ns/bookinfo/sa/productpage'] },
      { principals: ['cluster.local/ns/bookinfo/*'] },
      { namespaces: ['bookinfo'] },
      { serviceAccounts: ['bookinfo/productpage'] },
    ])
      expect(authorize([allowFrom(source)], reviews, productpage)).toBe(true);
    const onlyRatings = allowFrom({
      principals: ['cluster.local/ns/bookinfo/sa/ratings'],
    });
    expect(authorize([onlyRatings], reviews, productpage)).toBe(false);
    expect(
      authorize(
        [onlyRatings],
        reviews,
        get('cluster.local/ns/bookinfo/sa/ratings'),
      ),
    ).toBe(true);
  });

  it('admits a request when any ALLOW policy does, and refuses it when any DENY policy matches', () => {
    const onlyRatings = allowFrom({
      principals: ['cluster.local/ns/bookinfo/sa/ratings'],
    });
    const byNamespace = allowFrom({ namespaces: ['bookinfo'] });
    expect(authorize([onlyRatings, byNamespace], reviews, productpage)).toBe(
      true,
    );
    const deny = policy({
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['*/sa/productpage'] } }] }],
    });
    expect(authorize([byNamespace, deny], reviews, productpage)).toBe(false);
  });

  it('judges methods and paths, and a rule with a condition the model cannot meet admits nothing', () => {
    const source = { namespaces: ['bookinfo'] };
    expect(
      authorize(
        [allowFrom(source, { to: [{ operation: { methods: ['POST'] } }] })],
        reviews,
        productpage,
      ),
    ).toBe(false);
    expect(
      authorize(
        [allowFrom(source, { to: [{ operation: { paths: ['/*'] } }] })],
        reviews,
        productpage,
      ),
    ).toBe(true);
    expect(
      authorize(
        [
          allowFrom(source, {
            when: [{ key: 'request.auth.claims[iss]', values: ['x'] }],
          }),
        ],
        reviews,
        productpage,
      ),
    ).toBe(false);
  });

  it('errs safe with what the model cannot judge: such an ALLOW rule admits nothing, such a DENY rule refuses', () => {
    const source = { namespaces: ['bookinfo'] };
    const withPorts = { to: [{ operation: { ports: ['9080'] } }] };
    expect(
      authorize([allowFrom(source, withPorts)], reviews, productpage),
    ).toBe(false);
    const denyFromIp = policy({
      action: 'DENY',
      rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }],
    });
    expect(
      authorize([allowFrom(source), denyFromIp], reviews, productpage),
    ).toBe(false);
  });

  it('applies a policy of the root namespace to every workload, and none bound by targetRefs to a sidecar', () => {
    const meshWide = policy(
      { rules: [{ from: [{ source: { namespaces: ['istio-ingress'] } }] }] },
      'istio-system',
    );
    expect(authorize([meshWide], reviews, productpage)).toBe(false);
    const waypoint = policy({
      targetRefs: [
        {
          kind: 'Gateway',
          group: 'gateway.networking.k8s.io',
          name: 'waypoint',
        },
      ],
      rules: [{ from: [{ source: { namespaces: ['nowhere'] } }] }],
    });
    expect(authorize([waypoint], reviews, productpage)).toBe(true);
  });
});
