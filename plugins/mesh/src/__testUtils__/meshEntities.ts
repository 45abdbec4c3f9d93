import { Entity } from '@backstage/catalog-model';

/** The reviews service, annotated for the demo mesh. */
export const reviewsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'reviews',
    namespace: 'default',
    annotations: {
      'mesh.meshtraffic.io/mesh': 'demo',
      'mesh.meshtraffic.io/service': 'reviews',
      'mesh.meshtraffic.io/namespace': 'bookinfo',
    },
  },
  spec: { type: 'service', owner: 'group:default/bookinfo-team' },
};

/** A component of the demo mesh named `name`, routing `service` in bookinfo. */
export const meshEntity = (name: string, service = name): Entity => ({
  ...reviewsEntity,
  metadata: {
    ...reviewsEntity.metadata,
    name,
    annotations: {
      ...reviewsEntity.metadata.annotations,
      'mesh.meshtraffic.io/service': service,
    },
  },
});

/** A component without the mesh annotations. */
export const plainEntity: Entity = {
  ...reviewsEntity,
  metadata: { name: 'docs', namespace: 'default' },
};

/** A mesh API that knows the demo mesh: east and west receive config, edge is unreachable. */
export const demoMeshApi = () => ({
  getClusters: jest.fn(async () => ({
    meshes: [
      {
        id: 'demo',
        kind: 'multi-primary',
        configClusters: ['east', 'west'],
        routingApi: 'istio',
      },
    ],
    clusters: ['east', 'west', 'edge'].map(name => ({
      name,
      mesh: 'demo',
      role: name === 'edge' ? 'remote' : 'primary',
      reachable: name !== 'edge',
    })),
  })),
  getMeshStatus: jest.fn(async () => ({
    id: 'demo',
    kind: 'multi-primary',
    configClusters: ['east', 'west'],
    clusters: [],
    controlPlanes: [],
    namespaces: [],
    services: [],
  })),
});
