import { mockCredentials } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';

const path = '/api/mesh/entities/component/default/reviews';

describe('a connection the cluster drops under a request', () => {
  let sandbox: Sandbox;
  let server: any;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('is a read sent again once: the state still has every cluster’s workloads', async () => {
    const east = sandbox.faults.cluster('east');
    const west = sandbox.faults.cluster('west');
    // Warm the kept-alive connections, as a page load before an idle pause does.
    await request(server)
      .get(path)
      .set('Authorization', mockCredentials.user.header());
    east.resetCounts();
    west.resetCounts();
    east.failNext({ verb: 'list', resource: 'deployments', reset: true });
    west.failNext({ verb: 'list', resource: 'deployments', reset: true });
    const state = await request(server)
      .get(path)
      .set('Authorization', mockCredentials.user.header());
    expect(state.status).toBe(200);
    const byCluster = Object.fromEntries(
      state.body.clusters.map((c: any) => [
        c.cluster,
        {
          reachable: c.reachable,
          versions: c.workloads.map((w: any) => w.version),
        },
      ]),
    );
    expect(byCluster.east).toEqual({ reachable: true, versions: ['v1', 'v2'] });
    expect(byCluster.west).toEqual({
      reachable: true,
      versions: ['v1', 'v2', 'v3'],
    });
    // The dropped request and the one sent again.
    expect(east.requestCounts()['list deployments']).toBe(2);
    expect(west.requestCounts()['list deployments']).toBe(2);
  });

  it('is reported, not hidden, when it breaks twice', async () => {
    const east = sandbox.faults.cluster('east');
    east.failNext({
      verb: 'list',
      resource: 'deployments',
      reset: true,
      count: 2,
    });
    const state = await request(server)
      .get(path)
      .set('Authorization', mockCredentials.user.header());
    const eastState = state.body.clusters.find(
      (c: any) => c.cluster === 'east',
    );
    expect(eastState).toMatchObject({
      reachable: false,
      error: expect.stringMatching(/ECONNRESET/),
    });
  });
});
