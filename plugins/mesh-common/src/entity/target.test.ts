import { Entity } from '@backstage/catalog-model';
import { isMeshAnnotated, meshTargetIssues, readMeshTarget } from './target';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'reviews', annotations },
  spec: {},
});

describe('readMeshTarget', () => {
  it('reads the mesh annotations', () => {
    expect(
      readMeshTarget(
        entity({
          'mesh.meshtraffic.io/mesh': 'demo',
          'mesh.meshtraffic.io/service': 'reviews-svc',
          'mesh.meshtraffic.io/namespace': 'bookinfo',
        }),
      ),
    ).toEqual({
      mesh: 'demo',
      service: 'reviews-svc',
      namespace: 'bookinfo',
      entityRef: 'component:default/reviews',
    });
  });

  it('falls back to the Kubernetes plugin annotations, then the entity name', () => {
    expect(
      readMeshTarget(
        entity({
          'mesh.meshtraffic.io/mesh': 'demo',
          'backstage.io/kubernetes-id': 'reviews-k8s',
          'backstage.io/kubernetes-namespace': 'shop',
        }),
      ),
    ).toMatchObject({ service: 'reviews-k8s', namespace: 'shop' });
    expect(
      readMeshTarget(entity({ 'mesh.meshtraffic.io/mesh': 'demo' })),
    ).toMatchObject({
      service: 'reviews',
      namespace: 'default',
    });
  });

  it('is undefined without the mesh annotation', () => {
    expect(
      readMeshTarget(entity({ 'backstage.io/kubernetes-id': 'x' })),
    ).toBeUndefined();
    expect(isMeshAnnotated(entity({}))).toBe(false);
    expect(
      isMeshAnnotated(entity({ 'mesh.meshtraffic.io/mesh': 'demo' })),
    ).toBe(true);
  });
});

describe('meshTargetIssues', () => {
  it('names the annotation whose value is not a Kubernetes name', () => {
    expect(
      meshTargetIssues(
        entity({
          'mesh.meshtraffic.io/mesh': 'demo',
          'mesh.meshtraffic.io/service': 'Reviews,app=x',
          'backstage.io/kubernetes-namespace': 'book info',
        }),
      ),
    ).toEqual([
      {
        annotation: 'mesh.meshtraffic.io/service',
        message: expect.stringMatching(
          /^"Reviews,app=x" must be a Kubernetes name/,
        ),
      },
      {
        annotation: 'backstage.io/kubernetes-namespace',
        message: expect.stringMatching(
          /^"book info" must be a Kubernetes name/,
        ),
      },
    ]);
    expect(
      meshTargetIssues(
        entity({
          'mesh.meshtraffic.io/mesh': 'demo',
          'mesh.meshtraffic.io/namespace': 'bookinfo',
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a mesh annotation with whitespace around it, which other entities’ claim checks would not find', () => {
    expect(
      meshTargetIssues(
        entity({
          'mesh.meshtraffic.io/mesh': 'demo\n',
          'mesh.meshtraffic.io/namespace': 'bookinfo',
        }),
      ),
    ).toEqual([
      {
        annotation: 'mesh.meshtraffic.io/mesh',
        message: expect.stringMatching(/must not begin or end with whitespace/),
      },
    ]);
  });
});
