import { mockCredentials } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from '../__testUtils__/meshBackend';

const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();

/**
 * Apply's round trips, counted at the API servers: the writes the change needs and nothing else.
 * Every replica reads from its own watch caches, so no replica lists, whichever one the user
 * planned on.
 */
describe('apply round trips', () => {
  let sandbox: Sandbox;
  let server: any;
  let otherReplica: any;

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    const entities = [serviceEntity('reviews', 'demo', 'bookinfo')];
    ({ server } = await startMeshBackend({ sandbox, entities }));
    ({ server: otherReplica } = await startMeshBackend({ sandbox, entities }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  const resetCounts = () =>
    sandbox.clusters.forEach(c => sandbox.faults.cluster(c.name).resetCounts());
  const revisionFrom = async (replica: any) =>
    (await request(replica).get(path).set('Authorization', auth())).body
      .revision;
  const apply = (replica: any, intent: unknown, revision: string) =>
    request(replica)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision });

  it('writes each new object once, create-only, with no read when this replica read what the user saw', async () => {
    const revision = await revisionFrom(server);
    resetCounts();
    const res = await apply(
      server,
      {
        split: [
          { version: 'v1', weight: 50 },
          { version: 'v3', weight: 50 },
        ],
      },
      revision,
    );
    expect(res.status).toBe(200);
    for (const cluster of ['east', 'west']) {
      expect(sandbox.faults.cluster(cluster).requestCounts()).toEqual({
        'create destinationrules': 1,
        'create virtualservices': 1,
      });
    }
    expect(sandbox.faults.cluster('edge').requestCounts()).toEqual({});
    expect(res.body.revision).toBe(await revisionFrom(server));
  });

  it('reads nothing either when another replica made the read: its own caches have the state, and the writes carry preconditions', async () => {
    const revision = await revisionFrom(server);
    // The other replica sees the first one's writes through its watch, within milliseconds.
    for (
      let i = 0;
      i < 50 && (await revisionFrom(otherReplica)) !== revision;
      i++
    )
      await new Promise(r => setTimeout(r, 20));
    resetCounts();
    const res = await apply(
      otherReplica,
      {
        split: [
          { version: 'v1', weight: 20 },
          { version: 'v3', weight: 80 },
        ],
      },
      revision,
    );
    expect(res.status).toBe(200);
    for (const cluster of ['east', 'west']) {
      // The writes only (its reads above asked who owns the namespace already).
      expect(sandbox.faults.cluster(cluster).requestCounts()).toEqual({
        'apply destinationrules': 1,
        'apply virtualservices': 1,
      });
    }
    expect(res.body.revision).toBe(await revisionFrom(server));
  });

  it('takes three sequential writes per cluster when a version goes away: union, route, final', async () => {
    const revision = await revisionFrom(server);
    resetCounts();
    const res = await apply(
      server,
      { split: [{ version: 'v3', weight: 100 }] },
      revision,
    );
    expect(res.status).toBe(200);
    for (const cluster of ['east', 'west']) {
      expect(sandbox.faults.cluster(cluster).requestCounts()).toEqual({
        'apply destinationrules': 2,
        'apply virtualservices': 1,
      });
    }
  });
});
