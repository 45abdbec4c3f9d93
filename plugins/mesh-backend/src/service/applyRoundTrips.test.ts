import { mockCredentials } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { serviceEntity, startMeshBackend, startShippedSandbox } from '../__testUtils__/meshBackend';

const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();

describe('apply round trips', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({ sandbox, entities: [serviceEntity('reviews', 'demo', 'bookinfo')] }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('reads each cluster once and writes each object once: no dry run and no read-back, yet the revision it answers is current', async () => {
    const { revision } = (await request(server).get(path).set('Authorization', auth())).body;
    for (const c of sandbox.clusters) sandbox.faults.cluster(c.name).resetCounts();
    const res = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent: { split: [{ version: 'v1', weight: 50 }, { version: 'v3', weight: 50 }] }, revision });
    expect(res.status).toBe(200);
    for (const cluster of ['east', 'west']) {
      expect(sandbox.faults.cluster(cluster).requestCounts()).toEqual({
        'apply destinationrules': 1,
        'apply virtualservices': 1,
        'list deployments': 1,
        'list destinationrules': 1,
        'list virtualservices': 1,
      });
    }
    expect(sandbox.faults.cluster('edge').requestCounts()).toEqual({ 'list deployments': 1 });
    expect(res.body.revision).toBe((await request(server).get(path).set('Authorization', auth())).body.revision);
  });
});
