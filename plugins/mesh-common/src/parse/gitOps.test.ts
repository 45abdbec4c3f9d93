import { generateIstioRouting } from '../generate/generate';
import { RoutingObject } from '../generate/istioTypes';
import { classifyRouting } from './classify';
import { gitOpsManagement } from './gitOps';

const meta = (extra: Partial<RoutingObject['metadata']>) => ({
  metadata: { name: 'reviews', namespace: 'bookinfo', ...extra },
});

describe('gitOpsManagement', () => {
  it.each([
    [
      'an Argo CD tracking annotation',
      {
        annotations: {
          'argocd.argoproj.io/tracking-id':
            'routing:networking.istio.io/VirtualService:bookinfo/reviews',
        },
      },
      { tool: 'argo-cd', source: 'routing', via: 'metadata' },
    ],
    [
      'an application outside Argo CD’s namespace',
      {
        annotations: {
          'argocd.argoproj.io/tracking-id':
            'team-a_routing:networking.istio.io/VirtualService:bookinfo/reviews',
        },
      },
      { tool: 'argo-cd', source: 'team-a/routing' },
    ],
    [
      'Argo CD’s instance label',
      { labels: { 'argocd.argoproj.io/instance': 'routing' } },
      { tool: 'argo-cd', source: 'routing' },
    ],
    [
      'a Flux Kustomization’s labels',
      {
        labels: {
          'kustomize.toolkit.fluxcd.io/name': 'apps',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        },
      },
      { tool: 'flux', source: 'Kustomization flux-system/apps' },
    ],
    [
      'a Flux HelmRelease’s labels',
      {
        labels: {
          'helm.toolkit.fluxcd.io/name': 'mesh',
          'helm.toolkit.fluxcd.io/namespace': 'bookinfo',
        },
      },
      { tool: 'flux', source: 'HelmRelease bookinfo/mesh' },
    ],
    [
      'only Argo CD’s server-side apply in managedFields',
      {
        managedFields: [
          { manager: 'backstage-mesh-traffic', operation: 'Apply' },
          { manager: 'argocd-controller', operation: 'Apply' },
        ],
      },
      { tool: 'argo-cd', via: 'field-manager', manager: 'argocd-controller' },
    ],
    [
      'only Flux’s kustomize-controller in managedFields',
      { managedFields: [{ manager: 'kustomize-controller' }] },
      { tool: 'flux', via: 'field-manager' },
    ],
  ])('knows %s', (_what, extra, expected) => {
    expect(gitOpsManagement(meta(extra as any))).toMatchObject(expected);
  });

  it('does not take Helm’s, kubectl’s or our own metadata for a GitOps tool', () => {
    expect(
      gitOpsManagement(
        meta({
          labels: {
            'app.kubernetes.io/instance': 'reviews',
            'app.kubernetes.io/managed-by': 'Helm',
          },
          managedFields: [
            { manager: 'kubectl-client-side-apply' },
            { manager: 'helm' },
            { manager: 'backstage-mesh-traffic' },
          ],
        }),
      ),
    ).toBeUndefined();
  });
});

describe('classifyRouting of GitOps-managed objects', () => {
  const target = {
    mesh: 'demo',
    namespace: 'bookinfo',
    service: 'reviews',
    entityRef: 'component:default/reviews',
  };
  const ours = generateIstioRouting(target, {
    split: [
      { version: 'v1', weight: 80 },
      { version: 'v2', weight: 20 },
    ],
  });
  const coManaged = (o: RoutingObject): RoutingObject =>
    o.kind === 'VirtualService'
      ? {
          ...o,
          metadata: {
            ...o.metadata,
            managedFields: [
              { manager: 'backstage-mesh-traffic' },
              { manager: 'argocd-controller' },
            ],
          },
        }
      : o;

  it('makes one of ours that a GitOps tool co-manages foreign and blocking, so nothing is planned over it', () => {
    const { objects, intent } = classifyRouting(target, ours.map(coManaged));
    expect(intent).toBeUndefined();
    expect(objects.find(o => o.kind === 'VirtualService')).toMatchObject({
      status: 'foreign',
      owner: 'argo-cd',
      adoption: 'blocked',
      reason: expect.stringContaining(
        'Argo CD co-manages fields of VirtualService bookinfo/reviews (field manager argocd-controller): change it in Git',
      ),
    });
  });

  it('keeps one in another namespace, and lets a mesh that allows it adopt as any foreign object', () => {
    const elsewhere = {
      ...ours[0],
      metadata: {
        ...ours[0].metadata,
        namespace: 'frontend',
        labels: { 'argocd.argoproj.io/instance': 'frontend' },
        annotations: {},
      },
    } as RoutingObject;
    expect(classifyRouting(target, [elsewhere]).objects[0]).toMatchObject({
      owner: 'argo-cd',
      adoption: 'keep',
    });
    const adoptable = classifyRouting(target, ours.map(coManaged), {
      gitOps: 'adoptable',
    }).objects.find(o => o.kind === 'VirtualService');
    expect(adoptable).toMatchObject({
      status: 'foreign',
      adoption: 'rewrite',
      reason: expect.stringContaining(
        'which puts it back unless it is removed from Git too',
      ),
    });
  });
});
