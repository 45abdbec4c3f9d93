import { mockCredentials } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';
import { danglingMoments, markWriteLogs } from '../__testUtils__/writeLog';

const CLUSTERS = ['north', 'south', 'dock'];

const path = '/api/mesh/entities/component/default/checkout';
const auth = () => mockCredentials.user.header();
const checkout = serviceEntity('checkout', 'gamma', 'storefront');

/** What kubectl shows of the storefront namespace's objects on a cluster (asynchronously: the sandbox answers from this process). */
async function kubectl(sandbox: Sandbox, cluster: string, resource: string) {
  const { stdout } = await promisify(execFile)(
    '/usr/bin/kubectl',
    [
      '--kubeconfig',
      sandbox.kubeconfigPath,
      '--context',
      cluster,
      '-n',
      'storefront',
      'get',
      resource,
      '-o',
      'json',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(stdout).items as any[];
}

/** The names of checkout's objects (the storefront's web front end has a Service of its own). */
const names = (items: any[]) =>
  items
    .map(i => i.metadata.name)
    .filter(n => n.startsWith('checkout'))
    .sort();

/** Each rule's backends as `name=weight`, from the HTTPRoute kubectl shows. */
const weights = (route: any) =>
  route.spec.rules.map((r: any) =>
    r.backendRefs.map((b: any) => `${b.name}=${b.weight}`),
  );

describe('a mesh on Gateway API', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startShippedSandbox('gateway-api');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [checkout],
      meshExtra: { routingApi: 'gateway-api' },
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const state = async () =>
    (await request(server).get(path).set('Authorization', auth())).body;
  const plan = (intent: unknown) =>
    request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent });
  const apply = async (intent: unknown) =>
    request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: (await state()).revision });

  it('says which routing API the mesh writes', async () => {
    expect((await state()).target.routingApi).toBe('gateway-api');
    const clusters = await request(server)
      .get('/api/mesh/clusters')
      .set('Authorization', auth());
    expect(clusters.body.meshes).toEqual([
      expect.objectContaining({ id: 'gamma', routingApi: 'gateway-api' }),
    ]);
  });

  it('applies a split as an HTTPRoute on both primaries, with version Services where they are needed', async () => {
    const intent = {
      split: [
        { version: 'v1', weight: 80 },
        { version: 'v2', weight: 20 },
      ],
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
    };
    const res = await apply(intent);
    expect(res.status).toBe(200);
    expect(res.body.clusters).toEqual([
      { cluster: 'north', outcome: 'applied' },
      { cluster: 'south', outcome: 'applied' },
      { cluster: 'dock', outcome: 'applied' },
    ]);
    for (const cluster of ['north', 'south']) {
      const [route] = await kubectl(sandbox, cluster, 'httproutes');
      expect(route.metadata.name).toBe('checkout');
      expect(route.spec.parentRefs).toEqual([
        { group: '', kind: 'Service', name: 'checkout', port: 9080 },
      ]);
      expect(weights(route)).toEqual([['checkout-v1=80', 'checkout-v2=20']]);
      expect(names(await kubectl(sandbox, cluster, 'services'))).toEqual([
        'checkout',
        'checkout-v1',
        'checkout-v2',
      ]);
      expect(
        names(await kubectl(sandbox, cluster, 'destinationrules')),
      ).toEqual(['checkout-v1', 'checkout-v2']);
      expect(await kubectl(sandbox, cluster, 'virtualservices')).toEqual([]);
    }
    // dock runs only v2, and holds no routing config: just v2's Service.
    expect(names(await kubectl(sandbox, 'dock', 'services'))).toEqual([
      'checkout',
      'checkout-v2',
    ]);
    const [v2] = (await kubectl(sandbox, 'dock', 'services')).filter(
      s => s.metadata.name === 'checkout-v2',
    );
    expect(v2.spec.selector).toEqual({ app: 'checkout', version: 'v2' });

    const after = await state();
    expect(after.intent).toEqual(intent);
    expect(
      after.clusters.flatMap((c: any) => c.routing.map((o: any) => o.status)),
    ).toEqual(expect.arrayContaining(['ours']));
    expect(
      after.clusters.some((c: any) =>
        c.routing.some((o: any) => o.status !== 'ours'),
      ),
    ).toBe(false);
  });

  it('changes it: a version no longer routed loses its Service everywhere, after the route stops sending to it', async () => {
    const intent = { split: [{ version: 'v1', weight: 100 }] };
    const planned = await plan(intent);
    expect(planned.status).toBe(200);
    const actions = (cluster: string) =>
      planned.body.clusters
        .find((c: any) => c.cluster === cluster)
        .changes.map((c: any) => `${c.action} ${c.kind}/${c.name}`);
    expect(actions('north')).toEqual([
      'update Service/checkout-v1',
      'update HTTPRoute/checkout',
      'delete DestinationRule/checkout-v1',
      'delete DestinationRule/checkout-v2',
      'delete Service/checkout-v2',
    ]);
    expect(actions('dock')).toEqual(['delete Service/checkout-v2']);

    const marks = await markWriteLogs(sandbox, CLUSTERS);
    const res = await apply(intent);
    expect(res.status).toBe(200);
    // Replayed write by write: no moment where the HTTPRoute sent to a Service already gone.
    const replay = danglingMoments(sandbox, marks);
    expect(replay.found).toEqual([]);
    expect(replay.writes).toBeGreaterThanOrEqual(9);
    for (const cluster of ['north', 'south']) {
      const [route] = await kubectl(sandbox, cluster, 'httproutes');
      expect(weights(route)).toEqual([['checkout-v1=100']]);
      expect(names(await kubectl(sandbox, cluster, 'services'))).toEqual([
        'checkout',
        'checkout-v1',
      ]);
      expect(await kubectl(sandbox, cluster, 'destinationrules')).toEqual([]);
    }
    expect(names(await kubectl(sandbox, 'dock', 'services'))).toEqual([
      'checkout',
    ]);
    expect((await state()).intent).toEqual(intent);
  });

  it('refuses a fault with a 400 naming fault, and writes nothing', async () => {
    const before = await kubectl(sandbox, 'north', 'httproutes');
    const res = await apply({
      split: [{ version: 'v1', weight: 100 }],
      fault: { abort: { httpStatus: 503, percent: 10 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('fault');
    expect(res.body.issues).toEqual([
      expect.objectContaining({
        path: 'fault',
        message: expect.stringContaining('no fault injection'),
      }),
    ]);
    expect(await kubectl(sandbox, 'north', 'httproutes')).toEqual(before);
  });

  it('removes it: the HTTPRoute first, then the Services', async () => {
    const marks = await markWriteLogs(sandbox, CLUSTERS);
    const res = await request(server)
      .delete(`${path}/intent`)
      .query({ revision: (await state()).revision })
      .set('Authorization', auth());
    expect(res.body.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(danglingMoments(sandbox, marks)).toEqual({ found: [], writes: 4 });
    for (const cluster of ['north', 'south']) {
      expect(await kubectl(sandbox, cluster, 'httproutes')).toEqual([]);
      expect(names(await kubectl(sandbox, cluster, 'services'))).toEqual([
        'checkout',
      ]);
    }
  });
});

describe('a mesh that changes its routingApi', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('gateway-api');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const client = (server: any) => ({
    state: async () =>
      (await request(server).get(path).set('Authorization', auth())).body,
    plan: (intent: unknown) =>
      request(server)
        .post(`${path}/plan`)
        .set('Authorization', auth())
        .send({ intent }),
    apply: (intent: unknown, revision: string) =>
      request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({ intent, revision }),
  });

  it('plans the VirtualService going and the HTTPRoute coming, and applies both as one transaction', async () => {
    const intent = {
      split: [
        { version: 'v1', weight: 60 },
        { version: 'v2', weight: 40 },
      ],
    };
    const { server: onIstio } = await startMeshBackend({
      sandbox,
      entities: [checkout],
    });
    const istio = client(onIstio);
    const first = await istio.apply(intent, (await istio.state()).revision);
    expect(first.body.ok).toBe(true);
    expect(names(await kubectl(sandbox, 'north', 'virtualservices'))).toEqual([
      'checkout',
    ]);

    const { server: onGateway } = await startMeshBackend({
      sandbox,
      entities: [checkout],
      meshExtra: { routingApi: 'gateway-api' },
    });
    const gateway = client(onGateway);
    const before = await gateway.state();
    // The intent is read from the VirtualService the mesh's old API wrote.
    expect(before.intent).toEqual(intent);
    const planned = await gateway.plan(intent);
    const north = planned.body.clusters.find((c: any) => c.cluster === 'north');
    expect(
      north.changes.map((c: any) => `${c.action} ${c.kind}/${c.name}`),
    ).toEqual([
      'create Service/checkout-v1',
      'create Service/checkout-v2',
      'create HTTPRoute/checkout',
      'delete VirtualService/checkout',
      'delete DestinationRule/checkout',
    ]);

    const marks = await markWriteLogs(sandbox, CLUSTERS);
    const res = await gateway.apply(intent, before.revision);
    expect(res.body.ok).toBe(true);
    expect(danglingMoments(sandbox, marks).found).toEqual([]);
    for (const cluster of ['north', 'south']) {
      expect(await kubectl(sandbox, cluster, 'virtualservices')).toEqual([]);
      expect(await kubectl(sandbox, cluster, 'destinationrules')).toEqual([]);
      const [route] = await kubectl(sandbox, cluster, 'httproutes');
      expect(weights(route)).toEqual([['checkout-v1=60', 'checkout-v2=40']]);
    }
    expect((await gateway.state()).intent).toEqual(intent);
    const [row] = (
      await request(onGateway)
        .get(`${path}/history`)
        .set('Authorization', auth())
    ).body.items;
    expect(row).toEqual(
      expect.objectContaining({ action: 'apply', state: 'applied' }),
    );
  });
});
