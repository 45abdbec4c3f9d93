import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { hostKey, MeshStore } from './MeshStore';
import { rolloutState } from './RolloutStore';

const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

const target = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};

describe('RolloutStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps a rollout, finds it when due and in progress, and carries its waves and evaluations (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await MeshStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const rollouts = store.rollouts;
      const key = hostKey(target);
      const id = await rollouts.create({
        hostKey: key,
        entityRef: target.entityRef,
        target,
        startedBy: 'user:default/alice',
        status: 'baking',
        intentAfter: { split: [{ version: 'v3', weight: 100 }] },
        waves: [
          { clusters: ['east'], status: 'done', historyId: 7 },
          { clusters: ['west'], status: 'pending' },
        ],
        bakeMs: 30_000,
        checks: { successRateMin: 99, minRequests: 10 },
        nextAt: 31_000,
      });
      expect(await rollouts.due(30_999)).toEqual([]);
      const [due] = await rollouts.due(31_000);
      expect(due).toMatchObject({
        id,
        status: 'baking',
        nextAt: 31_000,
        checks: { successRateMin: 99, minRequests: 10 },
        evaluations: [],
      });
      expect(due.intentBefore).toBeUndefined();
      expect((await rollouts.inProgress(key))?.id).toBe(id);

      const evaluation = {
        at: new Date(31_000).toISOString(),
        wave: 1,
        verdict: 'pass' as const,
        reason: 'every check passed',
        checks: [],
      };
      await rollouts.update(id, {
        status: 'completed',
        nextAt: undefined,
        waves: due.waves.map(w => ({ ...w, status: 'done' as const })),
        evaluations: [evaluation],
      });
      const done = (await rollouts.get(id))!;
      expect(await rollouts.inProgress(key)).toBeUndefined();
      expect(await rollouts.due(1e13)).toEqual([]);
      expect(rolloutState(done)).toMatchObject({
        status: 'completed',
        bakeSeconds: 30,
        waves: [{ status: 'done' }, { status: 'done' }],
        evaluations: [evaluation],
      });
      expect(rolloutState(done).nextCheckAt).toBeUndefined();
      expect((await rollouts.latest(target.entityRef))?.id).toBe(id);
    },
  );
});
