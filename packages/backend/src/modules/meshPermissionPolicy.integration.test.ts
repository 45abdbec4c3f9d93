import {
  loadTopology,
  Sandbox,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import request from 'supertest';
import { bearer, startDemoPortal } from '../__testUtils__/demoPortal';

jest.setTimeout(120_000);

const guest = bearer('user:default/guest');
const viewer = bearer('user:default/viewer');

async function everyRoutingObject(sandbox: Sandbox) {
  const out: Record<string, unknown> = {};
  for (const cluster of ['east', 'west']) {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    kc.setCurrentContext(cluster);
    const api = kc.makeApiClient(CustomObjectsApi);
    for (const plural of ['virtualservices', 'destinationrules']) {
      out[`${cluster}/${plural}`] = (
        (await api.listClusterCustomObject({
          group: 'networking.istio.io',
          version: 'v1',
          plural,
        })) as any
      ).items;
    }
  }
  return out;
}

/**
 * The portal's shipped policy, through the real permission backend and the real catalog (whose
 * ownership condition decides), not a mock that denies: owners change routing, others only read.
 */
describe('the shipped mesh permission policy', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    ({ server } = await startDemoPortal({ sandbox }));
  });
  afterAll(() => sandbox?.stop());

  const reviews = '/api/mesh/entities/component/default/reviews';
  const intent = {
    split: [
      { version: 'v1', weight: 50 },
      { version: 'v2', weight: 50 },
    ],
  };

  it('lets an owner (bookinfo-team) apply', async () => {
    const { revision } = (
      await request(server).get(reviews).set('Authorization', guest)
    ).body;
    const res = await request(server)
      .post(`${reviews}/apply`)
      .set('Authorization', guest)
      .send({ intent, revision });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it('lets a signed-in non-owner read, but refuses plan-with-onboarding, apply, rollback and delete with 403', async () => {
    const before = await everyRoutingObject(sandbox);
    const read = await request(server)
      .get(reviews)
      .set('Authorization', viewer);
    expect(read.status).toBe(200);
    const { revision } = read.body;
    const [entry] = (
      await request(server)
        .get(`${reviews}/history`)
        .set('Authorization', viewer)
    ).body.items;
    const attempts = [
      request(server)
        .post('/api/mesh/entities/component/default/mongodb/plan')
        .set('Authorization', viewer)
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          onboarding: {
            mesh: 'demo',
            namespace: 'bookinfo',
            service: 'mongodb',
          },
        }),
      request(server)
        .post(`${reviews}/apply`)
        .set('Authorization', viewer)
        .send({
          intent: { split: [{ version: 'v3', weight: 100 }] },
          revision,
        }),
      request(server)
        .post(`${reviews}/rollback`)
        .set('Authorization', viewer)
        .send({ to: entry.id, revision }),
      request(server)
        .delete(`${reviews}/intent`)
        .query({ revision })
        .set('Authorization', viewer),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /you may not update the mesh routing of component:default\/(reviews|mongodb)/,
      );
    }
    expect(await everyRoutingObject(sandbox)).toEqual(before);
  });
});
