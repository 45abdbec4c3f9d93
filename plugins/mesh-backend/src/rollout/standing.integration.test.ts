import { TestDatabases } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { liveDefaultRoute } from '../__testUtils__/clusterObjects';
import { startShippedSandbox } from '../__testUtils__/meshBackend';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';
import { reviewsTarget } from '../__testUtils__/prometheusMesh';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const reviews = reviewsTarget;

describe('scheduled waves and the host they write', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('pauses a rollout instead of writing its next wave once its entity may no longer write the host', async () => {
    let blocked: string | undefined;
    const services = await meshServicesFor(
      sandboxMeshConfig(sandbox),
      await databases.init('SQLITE_3'),
      { standing: async () => blocked },
    );
    const live = await services.state.read(reviews);
    const started = await services.conductor.start({
      target: reviews,
      actor: 'user:default/alice',
      intent: {
        split: [
          { version: 'v1', weight: 60 },
          { version: 'v2', weight: 40 },
        ],
      },
      revision: live.revision,
      rollout: { waves: [['east'], ['west']], bakeSeconds: 0 },
    });
    expect(started).toMatchObject({ ok: true });
    const westBefore = await liveDefaultRoute(sandbox, 'west').catch(
      () => undefined,
    );
    blocked =
      'namespace bookinfo of mesh demo belongs to group:default/data-team';
    await services.conductor.advanceDue(Date.now() + 1000);
    const state = (await services.status.get(reviews)).rollout!;
    expect(state).toMatchObject({
      status: 'paused',
      reason: expect.stringMatching(/^paused: namespace bookinfo .*data-team/),
    });
    expect(
      await liveDefaultRoute(sandbox, 'west').catch(() => undefined),
    ).toEqual(westBefore);
    // Allowed again, and resumed by a person, it carries on.
    blocked = undefined;
    await services.conductor.act(reviews, 'resume', 'user:default/alice');
    await services.conductor.advanceDue(Date.now() + 1000);
    expect((await services.status.get(reviews)).rollout).toMatchObject({
      status: 'completed',
    });
  }, 60_000);
});
