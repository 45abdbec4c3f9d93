import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { followCanary, ANALYSIS_ACTOR } from '../apply/followCanary';
import { EVALUATIONS_KEPT } from './CanaryStore';
import { hostKey, MeshStore } from './MeshStore';

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
const analysis = {
  interval: '30s',
  successRateMin: 99,
  minRequests: 10,
  failureLimit: 2,
};
const canaryAt = (step: number, candidate = 'v2') => ({
  split: [{ version: 'v1', weight: 100 }],
  canary: {
    baseline: 'v1',
    candidate,
    steps: [10, 100],
    step,
    auto: true,
    analysis,
  },
});

describe('CanaryStore', () => {
  it.each(databases.eachSupportedId())(
    'follows an automatic canary across its steps, keeps its starter and failures, and forgets it when it ends (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await MeshStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const canaries = store.canaries;
      const key = hostKey(target);

      await followCanary(
        canaries,
        target,
        canaryAt(1),
        'user:default/alice',
        1_000,
      );
      expect(await canaries.run(key)).toMatchObject({
        startedBy: 'user:default/alice',
        step: 1,
        failures: 0,
        inconclusive: 0,
        errors: 0,
        stepSince: 1_000,
        intervalMs: 30_000,
        nextAt: 31_000,
        target,
      });
      expect(await canaries.due(30_999)).toEqual([]);
      expect((await canaries.due(31_000)).map(r => r.hostKey)).toEqual([key]);

      await canaries.update(key, { failures: 1, inconclusive: 3, errors: 2 });
      expect(await canaries.run(key)).toMatchObject({
        failures: 1,
        inconclusive: 3,
        errors: 2,
      });
      await followCanary(canaries, target, canaryAt(2), ANALYSIS_ACTOR, 40_000);
      // A new step keeps the failed intervals, and starts its limits and deadline afresh.
      expect(await canaries.run(key)).toMatchObject({
        startedBy: 'user:default/alice',
        step: 2,
        failures: 1,
        inconclusive: 0,
        errors: 0,
        stepSince: 40_000,
        nextAt: 70_000,
      });

      // Another canary on the host starts afresh, for whoever started it.
      await followCanary(
        canaries,
        target,
        canaryAt(1, 'v3'),
        'user:default/bob',
        50_000,
      );
      expect(await canaries.run(key)).toMatchObject({
        startedBy: 'user:default/bob',
        failures: 0,
      });

      const id = await canaries.addEvaluation({
        entityRef: target.entityRef,
        hostKey: key,
        candidate: 'v3',
        step: 1,
        verdict: 'fail',
        action: 'none',
        failures: 1,
        reason: 'west: success rate 90% is below 99%',
        clusters: [
          {
            cluster: 'west',
            requests: 400,
            successRate: 90,
            verdict: 'fail',
            reasons: ['success rate 90% is below 99%'],
          },
        ],
      });
      expect(await canaries.evaluations(target.entityRef)).toEqual({
        items: [expect.objectContaining({ id, verdict: 'fail', failures: 1 })],
        more: false,
      });
      expect(
        (await canaries.evaluations(target.entityRef)).items[0],
      ).not.toHaveProperty('historyId');

      await followCanary(
        canaries,
        target,
        { split: [{ version: 'v3', weight: 100 }] },
        ANALYSIS_ACTOR,
      );
      expect(await canaries.run(key)).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the newest evaluations only, and pages them newest first (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { canaries } = await MeshStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const add = (n: number) =>
        canaries.addEvaluation({
          entityRef: target.entityRef,
          hostKey: hostKey(target),
          candidate: 'v2',
          step: 1,
          verdict: n % 3 === 0 ? 'pass' : 'inconclusive',
          action: n === 0 ? 'advance' : 'none',
          failures: 0,
          reason: `interval ${n}`,
          clusters: [],
        });
      const ids: number[] = [];
      for (let n = 0; n < EVALUATIONS_KEPT; n++) ids.push(await add(n));
      expect(await canaries.summary(target.entityRef)).toBeUndefined();
      for (let n = EVALUATIONS_KEPT; n < EVALUATIONS_KEPT + 5; n++)
        ids.push(await add(n));
      const first = await canaries.evaluations(target.entityRef, { limit: 3 });
      expect(first.items.map(e => e.id)).toEqual(ids.slice(-3).reverse());
      expect(first.more).toBe(true);
      const next = await canaries.evaluations(target.entityRef, {
        limit: 3,
        before: first.items[2].id,
      });
      expect(next.items.map(e => e.id)).toEqual(ids.slice(-6, -3).reverse());
      const all = await canaries.evaluations(target.entityRef, {
        limit: 10_000,
      });
      expect(all.items).toHaveLength(EVALUATIONS_KEPT);
      expect(all.items.at(-1)!.reason).toBe('interval 5');
      // The five no longer kept (intervals 0 to 4) are summed, not lost.
      const summary = await canaries.summary(target.entityRef);
      expect(summary).toMatchObject({
        count: 5,
        pass: 2,
        fail: 0,
        inconclusive: 3,
        acted: 1,
      });
      expect(Date.parse(summary!.from)).toBeLessThanOrEqual(
        Date.parse(summary!.to),
      );
    },
    60_000,
  );
});
