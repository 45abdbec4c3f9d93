import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { generateRouting } from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';

const reviews = serviceEntity('reviews', 'demo', 'bookinfo');
const sneaky = serviceEntity('sneaky', 'demo', 'kube-system');

async function applyToCluster(
  sandbox: Sandbox,
  cluster: string,
  objects: any[],
) {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  kc.setCurrentContext(cluster);
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const obj of objects) {
    await api.patchNamespacedCustomObject(
      {
        group: 'networking.istio.io',
        version: 'v1',
        namespace: obj.metadata.namespace,
        plural:
          obj.kind === 'VirtualService'
            ? 'virtualservices'
            : 'destinationrules',
        name: obj.metadata.name,
        body: obj,
        fieldManager: 'test-setup',
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }
}

describe('GET /entities/:kind/:namespace/:name', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());
  afterEach(() => sandbox.faults.reset());

  it('reads workloads from every cluster and routing from the config clusters, in parallel', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    const res = await request(server)
      .get('/api/mesh/entities/component/default/reviews')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.target).toEqual({
      mesh: 'demo',
      service: 'reviews',
      namespace: 'bookinfo',
      entityRef: 'component:default/reviews',
      host: 'reviews.bookinfo.svc.cluster.local',
      routingApi: 'istio',
    });
    const byCluster = Object.fromEntries(
      res.body.clusters.map((c: any) => [c.cluster, c]),
    );
    expect(
      byCluster.east.workloads.map(
        (w: any) => `${w.version}:${w.readyReplicas}/${w.replicas}`,
      ),
    ).toEqual(['v1:2/2', 'v2:1/1']);
    expect(byCluster.west.workloads.map((w: any) => w.version)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
    expect(byCluster.edge).toMatchObject({
      isConfigCluster: false,
      role: 'remote',
      reachable: true,
    });
    expect(res.body.revision).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body.intent).toBeUndefined();
    // Routing is read on config clusters only: the remote is never asked for VirtualServices.
    expect(
      sandbox.faults.cluster('edge').requestCounts()['list virtualservices'],
    ).toBeUndefined();
    expect(
      sandbox.faults.cluster('east').requestCounts()['list virtualservices'],
    ).toBe(1);
  });

  it('classifies live routing and reads back the intent; the revision follows the live objects', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    const get = () =>
      request(server)
        .get('/api/mesh/entities/component/default/reviews')
        .set('Authorization', mockCredentials.user.header());
    const before = (await get()).body.revision;
    const intent = {
      split: [
        { version: 'v1', weight: 80 },
        { version: 'v3', cluster: 'west', weight: 20 },
      ],
    };
    const objects = generateRouting(
      {
        mesh: 'demo',
        service: 'reviews',
        namespace: 'bookinfo',
        entityRef: 'component:default/reviews',
      },
      intent,
    );
    await applyToCluster(sandbox, 'east', objects);
    await applyToCluster(sandbox, 'west', objects);
    const res = await get();
    expect(res.body.intent).toEqual(intent);
    expect(res.body.revision).not.toBe(before);
    for (const c of res.body.clusters.filter((x: any) => x.isConfigCluster)) {
      expect(c.routing.map((o: any) => `${o.kind}:${o.status}`)).toEqual([
        'VirtualService:ours',
        'DestinationRule:ours',
      ]);
    }
  });

  it('reports an unreachable cluster and still answers for the rest', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    await sandbox.faults.down('west');
    try {
      const res = await request(server)
        .get('/api/mesh/entities/component/default/reviews')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      const west = res.body.clusters.find((c: any) => c.cluster === 'west');
      expect(west).toMatchObject({
        reachable: false,
        error: expect.stringContaining('connection failed (ECONNREFUSED)'),
      });
      expect(
        res.body.clusters.find((c: any) => c.cluster === 'east').reachable,
      ).toBe(true);
    } finally {
      await sandbox.faults.up('west');
    }
  });

  it('waits for a first list slower than a write may take, rather than calling the cluster unreachable', async () => {
    // Each answer takes longer than the 300 ms a write may: a busy API server, or a backend
    // starting under load. The first read must wait for the sync, not see a timed-out list.
    for (const c of ['east', 'west']) sandbox.faults.cluster(c).setLatency(600);
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      requestTimeout: 300,
    });
    const res = await request(server)
      .get('/api/mesh/entities/component/default/reviews')
      .set('Authorization', mockCredentials.user.header());
    expect(res.body.clusters.length).toBeGreaterThanOrEqual(2);
    for (const c of res.body.clusters)
      expect([c.cluster, c.reachable, c.error]).toEqual([
        c.cluster,
        true,
        undefined,
      ]);
    expect(
      res.body.clusters.flatMap((c: any) =>
        c.workloads.map((w: any) => `${w.version}@${c.cluster}`),
      ),
    ).toEqual(expect.arrayContaining(['v1@east', 'v3@west']));
  });

  it('names the clusters it could not read when a version runs on none it could', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    await sandbox.faults.down('west');
    try {
      const res = await request(server)
        .post('/api/mesh/entities/component/default/reviews/plan')
        .set('Authorization', mockCredentials.user.header())
        .send({ intent: { split: [{ version: 'v3', weight: 100 }] } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /split\[0\]\.version: version v3 does not run anywhere in the mesh \(running: v1, v2\); not counted, as they could not be read: west \(.*ECONNREFUSED/,
      );
    } finally {
      await sandbox.faults.up('west');
    }
  });

  it('refuses a namespace outside the allowed list with 403', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [sneaky] });
    const res = await request(server)
      .get('/api/mesh/entities/component/default/sneaky')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/namespace kube-system/);
  });

  it('refuses a caller without mesh.traffic.read with 403, and unknown entities with 404', async () => {
    const denied = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [
        mockServices.permissions.mock({
          authorize: async () => [{ result: AuthorizeResult.DENY }],
        }).factory,
      ],
    });
    const res = await request(denied.server)
      .get('/api/mesh/entities/component/default/reviews')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(403);
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    expect(
      (
        await request(server)
          .get('/api/mesh/entities/component/default/nope')
          .set('Authorization', mockCredentials.user.header())
      ).status,
    ).toBe(404);
  });

  it('never returns a token or CA in a response', async () => {
    const { server } = await startMeshBackend({ sandbox, entities: [reviews] });
    const bodies = [
      (
        await request(server)
          .get('/api/mesh/clusters')
          .set('Authorization', mockCredentials.user.header())
      ).text,
      (
        await request(server)
          .get('/api/mesh/entities/component/default/reviews')
          .set('Authorization', mockCredentials.user.header())
      ).text,
    ];
    for (const text of bodies) {
      for (const c of sandbox.clusters) {
        expect(text).not.toContain(c.token);
        expect(text).not.toContain(c.caData.slice(20, 60));
      }
    }
  });
});
