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
 * Apply's round trips, counted at the API servers: the writes the change needs and nothing else
 * when this replica made the read the user planned against; one read more when another did.
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

  it('reads once more when another replica made the read, then applies with preconditions', async () => {
    const revision = await revisionFrom(server);
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
      // One read, its lists in parallel (the workloads' three kinds; the routing's three kinds and
      // the namespace's Services, an HTTPRoute's backends), then the writes; and, as this replica
      // has not read it within the last 30 s, the namespace itself, for who owns it.
      expect(sandbox.faults.cluster(cluster).requestCounts()).toEqual({
        'get namespaces': 1,
        'list deployments': 1,
        'list statefulsets': 1,
        'list rollouts': 1,
        'list destinationrules': 1,
        'list virtualservices': 1,
        'list httproutes': 1,
        'list services': 1,
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
