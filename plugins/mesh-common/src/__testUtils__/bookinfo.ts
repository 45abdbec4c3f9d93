import { MeshTarget } from '../entity/target';
import { WorkloadVersion } from '../intent/workloads';
import { MeshTopology } from '../placement/topology';

export const reviewsTarget: MeshTarget = {
  mesh: 'demo',
  service: 'reviews',
  namespace: 'bookinfo',
  entityRef: 'component:default/reviews',
};

const w = (cluster: string, version: string): WorkloadVersion => ({
  cluster,
  version,
  replicas: 1,
  readyReplicas: 1,
});

/** Where reviews runs in the demo topology: v1, v2 on east; v1, v2, v3 on west. */
export const reviewsWorkloads: WorkloadVersion[] = [
  w('east', 'v1'),
  w('east', 'v2'),
  w('west', 'v1'),
  w('west', 'v2'),
  w('west', 'v3'),
];

export const multiPrimary: MeshTopology = {
  id: 'demo',
  clusters: [
    { name: 'east', role: 'primary', network: 'net-east', region: 'us-east1' },
    { name: 'west', role: 'primary', network: 'net-west', region: 'us-west1' },
    { name: 'edge', role: 'remote', network: 'net-east', region: 'us-east1' },
  ],
};

export const primaryRemote: MeshTopology = {
  id: 'pr',
  clusters: [
    { name: 'main', role: 'primary', region: 'eu-west1' },
    { name: 'satellite-a', role: 'remote', region: 'eu-west1' },
    { name: 'satellite-b', role: 'remote', region: 'eu-north1' },
  ],
};

export const externalControlPlane: MeshTopology = {
  id: 'ext',
  clusters: [
    { name: 'control', role: 'config', region: 'us-central1' },
    { name: 'workers-1', role: 'remote', region: 'us-central1' },
    { name: 'workers-2', role: 'remote', region: 'us-east4' },
  ],
};

/** reviews on a mesh whose routingApi is gateway-api: its Service has one HTTP port, 9080. */
export const reviewsGatewayTarget: MeshTarget = {
  ...reviewsTarget,
  mesh: 'gamma',
  routingApi: 'gateway-api',
  servicePorts: [{ name: 'http', port: 9080 }],
};
