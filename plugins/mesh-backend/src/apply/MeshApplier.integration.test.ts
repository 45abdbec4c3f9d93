import { untilWatched } from '../__testUtils__/untilWatched';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import {
  ADMIN_GROUP,
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';

const reviews = serviceEntity('reviews', 'demo', 'bookinfo');
const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();

/** What a cluster holds for reviews, read straight from the sandbox through the API. */
async function liveRouting(
  sandbox: Sandbox,
  cluster: string,
  namespace = 'bookinfo',
) {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  kc.setCurrentContext(cluster);
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = async (plural: string) =>
    (
      (await api.listNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace,
        plural,
      })) as any
    ).items;
  const vs = await list('virtualservices');
  const dr = await list('destinationrules');
  return {
    vs: vs.map(
      (o: any) =>
        `${o.metadata.name}:${o.spec.http
          .at(-1)
          .route.map((r: any) => `${r.destination.subset}=${r.weight}`)
          .join(',')}`,
    ),
    dr: dr.map(
      (o: any) =>
        `${o.metadata.name}:${o.spec.subsets
          .map((s: any) => s.name)
          .join(',')}`,
    ),
  };
}

describe('POST .../apply on a multi-primary mesh', () => {
  let sandbox: Sandbox;
  let server: any;
  const state = async () =>
    (await request(server).get(path).set('Authorization', auth())).body;
  const apply = async (intent: unknown, extra: Record<string, unknown> = {}) =>
    request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: (await state()).revision, ...extra });

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    // The mock user is a mesh admin here: adopting hand-written routing needs it.
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      groups: { 'user:default/mock': [ADMIN_GROUP] },
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());
  beforeEach(() => sandbox.faults.reset());

  it('writes both primaries, DestinationRule before VirtualService, and nothing to the remote', async () => {
    const res = await apply({
      split: [
        { version: 'v1', weight: 70 },
        { version: 'v3', weight: 30 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      clusters: [
        { cluster: 'east', outcome: 'applied' },
        { cluster: 'west', outcome: 'applied' },
      ],
    });
    for (const cluster of ['east', 'west']) {
      expect(await liveRouting(sandbox, cluster)).toEqual({
        vs: ['reviews:v1=70,v3=30'],
        dr: ['reviews:v1,v3'],
      });
    }
    expect(await liveRouting(sandbox, 'edge')).toEqual({ vs: [], dr: [] });
    const edgeWrites = Object.keys(
      sandbox.faults.cluster('edge').requestCounts(),
    ).filter(k => /^(apply|create|update|patch|delete)/.test(k));
    expect(edgeWrites).toEqual([]);
    expect((await state()).intent).toEqual({
      split: [
        { version: 'v1', weight: 70 },
        { version: 'v3', weight: 30 },
      ],
    });
    expect(res.body.revision).toBe((await state()).revision);
  });

  it('refuses a stale revision with 409 and writes nothing', async () => {
    const before = await state();
    const res = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({
        intent: { split: [{ version: 'v2', weight: 100 }] },
        revision: 'not-the-revision',
      });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/changed since you loaded it/);
    expect((await state()).revision).toBe(before.revision);
    expect(await liveRouting(sandbox, 'east')).toEqual({
      vs: ['reviews:v1=70,v3=30'],
      dr: ['reviews:v1,v3'],
    });
  });

  it('answers 400 with the paths of an invalid intent and sends no write', async () => {
    const res = await apply({ split: [{ version: 'v1', weight: 101 }] });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual([
      'split[0].weight',
    ]);
    for (const c of sandbox.clusters) {
      expect(
        Object.keys(sandbox.faults.cluster(c.name).requestCounts()).filter(k =>
          /^(apply|create|update|patch|delete)/.test(k),
        ),
      ).toEqual([]);
    }
  });

  it('puts every cluster back when one fails on the VirtualService (500)', async () => {
    sandbox.faults.cluster('west').failNext({
      verb: 'apply',
      resource: 'virtualservices',
      status: 500,
      count: 10,
    });
    const res = await apply({ split: [{ version: 'v2', weight: 100 }] });
    expect(res.status).toBe(200);
    // The plan's dry run met the failure too; apply went on, and the real write failed the same way.
    expect(res.body.ok).toBe(false);
    const byCluster = Object.fromEntries(
      res.body.clusters.map((c: any) => [c.cluster, c]),
    );
    expect(byCluster.east.outcome).toBe('restored');
    expect(byCluster.west).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^500 InternalError/),
    });
    sandbox.faults.reset();
    for (const cluster of ['east', 'west']) {
      expect(await liveRouting(sandbox, cluster)).toEqual({
        vs: ['reviews:v1=70,v3=30'],
        dr: ['reviews:v1,v3'],
      });
    }
  });

  it('puts every cluster back when one goes down mid-apply', async () => {
    const west = sandbox.faults.cluster('west');
    // The apply reads west; then west goes down as the first write reaches it (apply does not dry-run).
    const original = west.failureFor.bind(west);
    let applies = 0;
    jest.spyOn(west, 'failureFor').mockImplementation((verb, resource) => {
      if (
        verb === 'apply' &&
        resource === 'destinationrules' &&
        ++applies === 1
      ) {
        void sandbox.faults.down('west');
        return { status: 503 };
      }
      return original(verb, resource);
    });
    const res = await apply({
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 50 },
      ],
    });
    jest.restoreAllMocks();
    await sandbox.faults.up('west');
    expect(res.body.ok).toBe(false);
    const outcomes = Object.fromEntries(
      res.body.clusters.map((c: any) => [c.cluster, c.outcome]),
    );
    expect(outcomes.east).toBe('restored');
    expect(['failed', 'unreachable']).toContain(outcomes.west);
    for (const cluster of ['east', 'west']) {
      expect(await liveRouting(sandbox, cluster)).toEqual({
        vs: ['reviews:v1=70,v3=30'],
        dr: ['reviews:v1,v3'],
      });
    }
  });

  it('refuses to start when a config cluster is unreachable, writing nothing', async () => {
    await sandbox.faults.down('west');
    try {
      const res = await apply({ split: [{ version: 'v1', weight: 100 }] });
      expect(res.body.ok).toBe(false);
      expect(res.body.clusters).toEqual([
        {
          cluster: 'east',
          outcome: 'unchanged',
          message: 'not written: another config cluster is unreachable',
        },
        {
          cluster: 'west',
          outcome: 'unreachable',
          message: expect.stringContaining('connection failed (ECONNREFUSED)'),
        },
      ]);
    } finally {
      await sandbox.faults.up('west');
    }
    expect(await liveRouting(sandbox, 'east')).toEqual({
      vs: ['reviews:v1=70,v3=30'],
      dr: ['reviews:v1,v3'],
    });
  });

  it('is blocked by a foreign VirtualService until the user adopts it', async () => {
    const seen = (await state()).revision;
    sandbox.servers.get('west')!.seed(
      {
        group: 'networking.istio.io',
        versions: ['v1'],
        resource: 'virtualservices',
        singular: 'virtualservice',
        kind: 'VirtualService',
        namespaced: true,
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews-by-hand', namespace: 'bookinfo' },
        spec: {
          hosts: ['reviews'],
          http: [
            {
              route: [
                { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
              ],
            },
          ],
        },
      },
    );
    await untilWatched(state, seen);
    const blocked = await apply({ split: [{ version: 'v3', weight: 100 }] });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toMatch(
      /VirtualService reviews-by-hand \(hand-written\) on west/,
    );
    const adopted = await apply(
      { split: [{ version: 'v3', weight: 100 }] },
      { adopt: true },
    );
    expect(adopted.body.ok).toBe(true);
    expect(await liveRouting(sandbox, 'west')).toEqual({
      vs: ['reviews:v3=100'],
      dr: ['reviews:v3'],
    });
  });

  it('records history for successes and failures, and rolls back to an earlier intent', async () => {
    const history = (
      await request(server).get(`${path}/history`).set('Authorization', auth())
    ).body.items;
    expect(history.length).toBeGreaterThanOrEqual(4);
    expect(
      history.some(
        (h: any) =>
          h.ok === false &&
          h.clusters.some((c: any) => c.outcome === 'restored'),
      ),
    ).toBe(true);
    const first = history.at(-1);
    expect(first).toMatchObject({
      action: 'apply',
      ok: true,
      actor: 'user:default/mock',
      entityRef: 'component:default/reviews',
    });
    const res = await request(server)
      .post(`${path}/rollback`)
      .set('Authorization', auth())
      .send({ to: first.id, revision: (await state()).revision });
    expect(res.body.ok).toBe(true);
    for (const cluster of ['east', 'west']) {
      expect(await liveRouting(sandbox, cluster)).toEqual({
        vs: ['reviews:v1=70,v3=30'],
        dr: ['reviews:v1,v3'],
      });
    }
    const latest = (
      await request(server).get(`${path}/history`).set('Authorization', auth())
    ).body.items[0];
    expect(latest).toMatchObject({
      action: 'rollback',
      ok: true,
      intentAfter: first.intentAfter,
    });
  });
});

describe('removal and secrecy', () => {
  it('removes our objects from every config cluster, VirtualService first, and records it', async () => {
    const sandbox = await startShippedSandbox('demo');
    try {
      const { server } = await startMeshBackend({
        sandbox,
        entities: [reviews],
      });
      const state = async () =>
        (await request(server).get(path).set('Authorization', auth())).body;
      await request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({
          intent: { split: [{ version: 'v2', weight: 100 }] },
          revision: (await state()).revision,
        });
      const res = await request(server)
        .delete(`${path}/intent`)
        .query({ revision: (await state()).revision })
        .set('Authorization', auth());
      expect(res.body).toMatchObject({
        ok: true,
        clusters: [
          { cluster: 'east', outcome: 'applied' },
          { cluster: 'west', outcome: 'applied' },
        ],
      });
      for (const cluster of ['east', 'west'])
        expect(await liveRouting(sandbox, cluster)).toEqual({ vs: [], dr: [] });
      const [latest] = (
        await request(server)
          .get(`${path}/history`)
          .set('Authorization', auth())
      ).body.items;
      expect(latest).toMatchObject({
        action: 'remove',
        ok: true,
        intentBefore: { split: [{ version: 'v2', weight: 100 }] },
      });
      expect(latest.intentAfter).toBeUndefined();
    } finally {
      await sandbox.stop();
    }
  }, 60_000);

  it('never writes a configured token or CA into a response or a log line, failures included', async () => {
    const sandbox = await startShippedSandbox('demo');
    const captured: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: any) => {
        captured.push(String(chunk));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(
        jest
          .spyOn(console, level)
          .mockImplementation(
            (...args: any[]) => void captured.push(args.map(String).join(' ')),
          ) as any,
      );
    }
    try {
      const { server } = await startMeshBackend({
        sandbox,
        entities: [reviews],
        features: [mockServices.rootLogger.factory({ level: 'debug' })],
      });
      const state = async () =>
        (await request(server).get(path).set('Authorization', auth())).body;
      sandbox.faults.cluster('west').failNext({
        verb: 'create',
        resource: 'virtualservices',
        status: 500,
        count: 5,
      });
      const responses = [
        await request(server)
          .get('/api/mesh/clusters')
          .set('Authorization', auth()),
        await request(server)
          .post(`${path}/plan`)
          .set('Authorization', auth())
          .send({ intent: { split: [{ version: 'v1', weight: 100 }] } }),
        await request(server)
          .post(`${path}/apply`)
          .set('Authorization', auth())
          .send({
            intent: { split: [{ version: 'v1', weight: 100 }] },
            revision: (await state()).revision,
          }),
        await request(server)
          .post(`${path}/apply`)
          .set('Authorization', auth())
          .send({ intent: { split: 'bad' }, revision: 'x' }),
      ];
      await sandbox.faults.down('east');
      responses.push(
        await request(server).get(path).set('Authorization', auth()),
      );
      expect(responses[2].body.ok).toBe(false);
      const everything = [...responses.map(r => r.text), ...captured].join(
        '\n',
      );
      expect(captured.length).toBeGreaterThan(0);
      for (const c of sandbox.clusters) {
        expect(everything).not.toContain(c.token);
        expect(everything).not.toContain(c.caData.slice(40, 100));
        expect(everything).not.toContain(
          Buffer.from(c.caData, 'base64').toString().split('\n')[2],
        );
      }
    } finally {
      spies.forEach(s => s.mockRestore());
      await sandbox.stop();
    }
  }, 60_000);
});

describe('audit', () => {
  it('emits an audit event for each change with its outcome per cluster', async () => {
    const sandbox = await startShippedSandbox('demo');
    const events: any[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: async (options: any) => ({
        success: async ({ meta }: any = {}) =>
          void events.push({
            ...options,
            request: undefined,
            result: 'success',
            meta,
          }),
        fail: async ({ error }: any) =>
          void events.push({
            ...options,
            request: undefined,
            result: 'fail',
            error: error.name,
          }),
      }),
    });
    try {
      const { server } = await startMeshBackend({
        sandbox,
        entities: [reviews],
        features: [auditor.factory],
      });
      const { revision } = (
        await request(server).get(path).set('Authorization', auth())
      ).body;
      await request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          revision,
        });
      await request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          revision: 'stale',
        });
      expect(events).toEqual([
        expect.objectContaining({
          eventId: 'traffic-apply',
          result: 'success',
          meta: {
            ok: true,
            historyId: expect.any(Number),
            clusters: ['east:applied', 'west:applied'],
          },
        }),
        expect.objectContaining({
          eventId: 'traffic-apply',
          result: 'fail',
          error: 'ConflictError',
        }),
      ]);
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});

describe('apply placement and permissions', () => {
  it.each([
    [
      'primary-remote',
      'cart',
      'shop',
      { split: [{ version: 'v1', weight: 100 }] },
      ['main'],
      ['satellite-a', 'satellite-b'],
    ],
    [
      'external-control-plane',
      'ledger',
      'payments',
      { split: [{ version: 'v2', weight: 100 }] },
      ['control'],
      ['workers-1', 'workers-2'],
    ],
  ])(
    '%s: writes only to the config cluster',
    async (topology, service, namespace, intent, written, untouched) => {
      const sandbox = await startShippedSandbox(topology);
      try {
        const mesh = sandbox.clusters[0].mesh;
        const { server } = await startMeshBackend({
          sandbox,
          entities: [serviceEntity(service, mesh, namespace)],
        });
        const p = `/api/mesh/entities/component/default/${service}`;
        const { revision } = (
          await request(server).get(p).set('Authorization', auth())
        ).body;
        const res = await request(server)
          .post(`${p}/apply`)
          .set('Authorization', auth())
          .send({ intent, revision });
        expect(res.body).toMatchObject({
          ok: true,
          clusters: written.map(cluster => ({ cluster, outcome: 'applied' })),
        });
        for (const c of written)
          expect((await liveRouting(sandbox, c, namespace)).vs).toHaveLength(1);
        for (const c of untouched)
          expect(await liveRouting(sandbox, c, namespace)).toEqual({
            vs: [],
            dr: [],
          });
      } finally {
        await sandbox.stop();
      }
    },
    60_000,
  );

  it('refuses a caller without mesh.traffic.update with 403', async () => {
    const sandbox = await startShippedSandbox('demo');
    try {
      const { server } = await startMeshBackend({
        sandbox,
        entities: [reviews],
        features: [
          mockServices.permissions.mock({
            authorize: async (requests: any[]) =>
              requests.map(r => ({
                result:
                  r.permission.name === 'mesh.traffic.update'
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              })),
          }).factory,
        ],
      });
      const { revision } = (
        await request(server).get(path).set('Authorization', auth())
      ).body;
      const res = await request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          revision,
        });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /may not update the mesh routing of component:default\/reviews/,
      );
      expect(await liveRouting(sandbox, 'east')).toEqual({ vs: [], dr: [] });
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});
