import { mockCredentials } from '@backstage/backend-test-utils';
import {
  loadTopology,
  Sandbox,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { clusterApis } from '../__testUtils__/clusterObjects';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';

const reviews = serviceEntity('reviews', 'demo', 'bookinfo');
const WRITE_VERBS = ['create', 'update', 'patch', 'apply', 'delete'];

function writes(sandbox: Sandbox) {
  return sandbox.clusters.flatMap(c =>
    Object.entries(sandbox.faults.cluster(c.name).requestCounts())
      .filter(([key]) => WRITE_VERBS.includes(key.split(' ')[0]))
      .map(([key, n]) => `${c.name}: ${key} x${n}`),
  );
}

describe('POST /entities/:kind/:namespace/:name/plan', () => {
  let sandbox: Sandbox;
  let server: any;
  const plan = (intent: unknown) =>
    request(server)
      .post('/api/mesh/entities/component/default/reviews/plan')
      .set('Authorization', mockCredentials.user.header())
      .send({ intent });

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({ sandbox, entities: [reviews] }));
  }, 30_000);
  afterAll(() => sandbox?.stop());
  beforeEach(() => sandbox.faults.reset());

  it('plans the objects for every primary and none for the remote, with diffs and dry-run verdicts', async () => {
    const res = await plan({
      split: [
        { version: 'v1', weight: 70 },
        { version: 'v3', weight: 30 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: true,
      needsAdoption: false,
      revision: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(res.body.clusters.map((c: any) => c.cluster)).toEqual([
      'east',
      'west',
    ]);
    for (const c of res.body.clusters) {
      expect(c.dryRun).toEqual({ ok: true });
      expect(
        c.changes.map((x: any) => `${x.kind}/${x.name}:${x.action}`),
      ).toEqual([
        'DestinationRule/reviews:create',
        'VirtualService/reviews:create',
      ]);
      expect(c.changes[1].diff).toMatch(/^\+\s+weight: 70$/m);
    }
    // Dry runs only: nothing was stored anywhere.
    const east = await request(server)
      .get('/api/mesh/entities/component/default/reviews')
      .set('Authorization', mockCredentials.user.header());
    expect(east.body.clusters.every((c: any) => c.routing.length === 0)).toBe(
      true,
    );
    expect(
      sandbox.faults.cluster('edge').requestCounts()['apply virtualservices'],
    ).toBeUndefined();
  });

  it('answers 400 with every bad field path and sends no write to any cluster', async () => {
    const res = await plan({
      split: [
        { version: 'v1', weight: 60 },
        { version: 'v3', weight: 30 },
      ],
      timeout: '500us',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.issues.map((i: any) => i.path).sort()).toEqual([
      'split',
      'timeout',
    ]);
    expect(writes(sandbox)).toEqual([]);
  });

  it('refuses an automatic canary on a mesh that names no Prometheus, naming canary.auto, with no write', async () => {
    const res = await plan({
      split: [
        { version: 'v1', weight: 90 },
        { version: 'v3', weight: 10 },
      ],
      canary: {
        baseline: 'v1',
        candidate: 'v3',
        steps: [10, 100],
        step: 1,
        auto: true,
        analysis: {
          interval: '1m',
          successRateMin: 99,
          minRequests: 10,
          failureLimit: 1,
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      {
        path: 'canary.auto',
        message: expect.stringMatching(/names no Prometheus/),
      },
    ]);
    expect(writes(sandbox)).toEqual([]);
  });

  it('names a version or cluster that does not run, from the discovered workloads', async () => {
    const res = await plan({
      split: [{ version: 'v3', cluster: 'east', weight: 100 }],
    });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      {
        path: 'split[0].cluster',
        message: 'version v3 does not run in cluster east (it runs in: west)',
      },
    ]);
    expect(writes(sandbox)).toEqual([]);
  });

  it("reports a cluster's dry-run refusal with its Status message", async () => {
    sandbox.faults.cluster('west').failNext({
      verb: 'apply',
      resource: 'virtualservices',
      status: 500,
      count: 1,
      message: 'etcd is unhappy',
    });
    const res = await plan({ split: [{ version: 'v1', weight: 100 }] });
    const west = res.body.clusters.find((c: any) => c.cluster === 'west');
    expect(west.dryRun).toEqual({
      ok: false,
      message: '500 InternalError: etcd is unhappy',
    });
    expect(
      res.body.clusters.find((c: any) => c.cluster === 'east').dryRun,
    ).toEqual({ ok: true });
  });

  it('reports foreign routing for the host with its owner and asks for adoption', async () => {
    const kiali = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: {
        name: 'reviews-kiali',
        namespace: 'bookinfo',
        labels: { kiali_wizard: 'request_routing' },
      },
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
      },
    };
    const servers = sandbox.servers.get('west')!;
    const type = {
      group: 'networking.istio.io',
      versions: ['v1'],
      resource: 'virtualservices',
      singular: 'virtualservice',
      kind: 'VirtualService',
      namespaced: true,
    };
    servers.seed(type, kiali);
    const res = await plan({ split: [{ version: 'v1', weight: 100 }] });
    expect(res.body.needsAdoption).toBe(true);
    expect(
      res.body.clusters.find((c: any) => c.cluster === 'west').foreign,
    ).toEqual([
      expect.objectContaining({
        kind: 'VirtualService',
        name: 'reviews-kiali',
        owner: 'kiali',
        status: 'foreign',
      }),
    ]);
  });
});

describe('a plan to a version with no ready pods', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    // The demo, with reviews v3 on west scaled up but not ready (a crash loop, a bad image).
    const topology = loadTopology(topologyPath('demo'));
    const reviewsWorkload = topology.workloads!.find(
      x => x.service === 'reviews',
    )!;
    reviewsWorkload.versions = reviewsWorkload.versions.map(v =>
      v.version === 'v3' ? { ...v, ready: 0 } : v,
    );
    sandbox = await startSandbox(topology, { ephemeralPorts: true });
    ({ server } = await startMeshBackend({ sandbox, entities: [reviews] }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('is refused before any write, naming the version and the cluster', async () => {
    const res = await request(server)
      .post('/api/mesh/entities/component/default/reviews/plan')
      .set('Authorization', mockCredentials.user.header())
      .send({
        intent: {
          split: [
            { version: 'v1', weight: 70 },
            { version: 'v3', cluster: 'west', weight: 30 },
          ],
        },
      });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      {
        path: 'split[1].weight',
        message:
          'sends 30% to v3 on cluster west, which has no ready pods there; scale it up or give it weight 0',
      },
    ]);
    expect(writes(sandbox)).toEqual([]);
  });
});

describe('versions that run as StatefulSets or Argo Rollouts', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    const topology = loadTopology(topologyPath('demo'));
    topology.workloads!.find(x => x.service === 'reviews')!.kind = 'Rollout';
    topology.workloads!.push({
      namespace: 'bookinfo',
      service: 'ratings',
      kind: 'StatefulSet',
      versions: [{ version: 'v2', clusters: ['east'], replicas: 3, ready: 2 }],
    });
    sandbox = await startSandbox(topology, { ephemeralPorts: true });
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [reviews, serviceEntity('ratings', 'demo', 'bookinfo')],
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const state = async (name: string) =>
    (
      await request(server)
        .get(`/api/mesh/entities/component/default/${name}`)
        .set('Authorization', mockCredentials.user.header())
    ).body;

  it('are discovered with their ready replicas, and plans route to them', async () => {
    const reviewsState = await state('reviews');
    const west = reviewsState.clusters.find((c: any) => c.cluster === 'west');
    expect(west.workloads.map((w: any) => w.version)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
    const ratings = (await state('ratings')).clusters.find(
      (c: any) => c.cluster === 'east',
    );
    expect(ratings.workloads).toEqual(
      expect.arrayContaining([
        { cluster: 'east', version: 'v2', replicas: 3, readyReplicas: 2 },
      ]),
    );
    const res = await request(server)
      .post('/api/mesh/entities/component/default/reviews/plan')
      .set('Authorization', mockCredentials.user.header())
      .send({
        intent: {
          split: [
            { version: 'v1', weight: 50 },
            { version: 'v3', weight: 50 },
          ],
        },
      });
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(true);
  });
});

describe('a mesh whose pods carry app.kubernetes.io labels', () => {
  let sandbox: Sandbox;
  let server: any;
  const labels = {
    app: 'app.kubernetes.io/name',
    version: 'app.kubernetes.io/version',
  };

  beforeAll(async () => {
    const topology = loadTopology(topologyPath('demo'));
    topology.workloads!.find(x => x.service === 'reviews')!.labels = labels;
    sandbox = await startSandbox(topology, { ephemeralPorts: true });
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      meshExtra: { workloadLabels: labels },
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const base = '/api/mesh/entities/component/default/reviews';
  const auth = () => mockCredentials.user.header();

  it('finds the versions by those labels and writes subsets that select on them', async () => {
    const before = (
      await request(server).get(base).set('Authorization', auth())
    ).body;
    expect(
      before.clusters
        .find((c: any) => c.cluster === 'west')
        .workloads.map((w: any) => w.version),
    ).toEqual(['v1', 'v2', 'v3']);
    const applied = await request(server)
      .post(`${base}/apply`)
      .set('Authorization', auth())
      .send({
        intent: {
          split: [
            { version: 'v1', weight: 80 },
            { version: 'v3', weight: 20 },
          ],
        },
        revision: before.revision,
      });
    expect(applied.body.ok).toBe(true);
    const { custom } = clusterApis(sandbox, 'east');
    const dr: any = await custom.getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'bookinfo',
      plural: 'destinationrules',
      name: 'reviews',
    });
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { 'app.kubernetes.io/version': 'v1' } },
      { name: 'v3', labels: { 'app.kubernetes.io/version': 'v3' } },
    ]);
    // Read back as this entity's, unchanged: not drift.
    const after = (await request(server).get(base).set('Authorization', auth()))
      .body;
    expect(after.intent.split).toEqual([
      { version: 'v1', weight: 80 },
      { version: 'v3', weight: 20 },
    ]);
  });
});
