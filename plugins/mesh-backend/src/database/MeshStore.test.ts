import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { hostKey, MeshStore } from './MeshStore';

const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

async function storesOn(databaseId: any, replicas = 1) {
  const knex = await databases.init(databaseId);
  const stores = [];
  // Several stores on one database stand for several backend replicas sharing it.
  for (let i = 0; i < replicas; i++)
    stores.push(
      await MeshStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      ),
    );
  return stores;
}

describe('MeshStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps one admin assignment per host, the latest (%p)',
    async databaseId => {
      const [a, b] = await storesOn(databaseId, 2);
      const host = 'demo/bookinfo/details';
      expect(await a.assignments.get(host)).toBeUndefined();
      await a.assignments.assign(
        host,
        'component:default/details',
        'user:default/ops',
      );
      await b.assignments.assign(
        host,
        'component:default/details-copy',
        'user:default/root',
      );
      expect(await a.assignments.get(host)).toMatchObject({
        entityRef: 'component:default/details-copy',
        assignedBy: 'user:default/root',
      });
      expect(await b.assignments.get('demo/bookinfo/reviews')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'records history, newest first, with every outcome (%p)',
    async databaseId => {
      const [store] = await storesOn(databaseId);
      const ok = await store.record({
        entityRef: 'component:default/reviews',
        actor: 'user:default/guest',
        action: 'apply',
        intentAfter: { split: [{ version: 'v1', weight: 100 }] },
        ok: true,
        clusters: [{ cluster: 'east', outcome: 'applied' }],
      });
      const failed = await store.record({
        entityRef: 'component:default/reviews',
        actor: 'user:default/guest',
        action: 'apply',
        intentBefore: { split: [{ version: 'v1', weight: 100 }] },
        intentAfter: { split: [{ version: 'v2', weight: 100 }] },
        ok: false,
        clusters: [
          { cluster: 'east', outcome: 'restored' },
          {
            cluster: 'west',
            outcome: 'failed',
            message: '500 InternalError: boom',
          },
        ],
        scaffolderTaskId: 'task-1',
      });
      expect(failed).toBeGreaterThan(ok);
      const history = await store.history('component:default/reviews');
      expect(
        history.map(h => [h.id, h.ok, h.clusters.map(c => c.outcome)]),
      ).toEqual([
        [failed, false, ['restored', 'failed']],
        [ok, true, ['applied']],
      ]);
      expect(history[0]).toMatchObject({
        scaffolderTaskId: 'task-1',
        intentBefore: { split: [{ version: 'v1', weight: 100 }] },
      });
      expect(await store.entry('component:default/reviews', ok)).toMatchObject({
        id: ok,
        actor: 'user:default/guest',
      });
      expect(await store.entry('component:default/other', ok)).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'journals a change pending before its writes, then ends it once (%p)',
    async databaseId => {
      const [store] = await storesOn(databaseId);
      const target = {
        mesh: 'demo',
        namespace: 'bookinfo',
        service: 'reviews',
        entityRef: 'component:default/reviews',
      };
      const before = {
        east: [
          {
            apiVersion: 'networking.istio.io/v1',
            kind: 'VirtualService',
            metadata: {
              name: 'reviews',
              namespace: 'bookinfo',
              resourceVersion: '7',
            },
            spec: {},
          },
        ],
      } as any;
      const id = await store.begin({
        entityRef: target.entityRef,
        actor: 'user:default/guest',
        action: 'apply',
        intentAfter: { split: [{ version: 'v2', weight: 100 }] },
        target,
        before,
        lockHolder: 'h1',
      });
      expect(await store.pending(hostKey(target))).toEqual([
        expect.objectContaining({
          id,
          state: 'pending',
          target,
          before,
          lockHolder: 'h1',
        }),
      ]);
      expect(await store.pending('demo/bookinfo/ratings')).toEqual([]);
      expect(
        await store.finish(id, 'interrupted', [
          { cluster: 'east', outcome: 'interrupted', holds: 'other' },
        ]),
      ).toBe(true);
      // A second ending (the writer coming back after recovery) changes nothing.
      expect(await store.finish(id, 'applied', [])).toBe(false);
      expect(await store.entry(target.entityRef, id)).toMatchObject({
        state: 'interrupted',
        ok: false,
        clusters: [{ holds: 'other' }],
      });
      expect(await store.pending()).toEqual([]);
      expect(await store.latestLanded(target.entityRef)).toMatchObject({
        id,
        state: 'interrupted',
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'never lets two replicas change one host at once (%p)',
    async databaseId => {
      const [a, b] = await storesOn(databaseId, 2);
      let release!: () => void;
      const held = new Promise<void>(resolve => (release = resolve));
      const first = a.locks.withLock('demo/bookinfo/reviews', () =>
        held.then(() => 'first'),
      );
      await new Promise(r => setTimeout(r, 50));
      await expect(
        b.locks.withLock('demo/bookinfo/reviews', async () => 'second'),
      ).rejects.toThrow(
        /another change to the routing of demo\/bookinfo\/reviews is in progress/,
      );
      // Other hosts are not blocked.
      await expect(
        b.locks.withLock('demo/bookinfo/ratings', async () => 'other'),
      ).resolves.toBe('other');
      release();
      await expect(first).resolves.toBe('first');
      await expect(
        b.locks.withLock('demo/bookinfo/reviews', async () => 'after'),
      ).resolves.toBe('after');
    },
  );

  it.each(databases.eachSupportedId())(
    'releases the lock when the work fails (%p)',
    async databaseId => {
      const [store] = await storesOn(databaseId);
      await expect(
        store.locks.withLock('demo/bookinfo/reviews', async () =>
          Promise.reject(new Error('boom')),
        ),
      ).rejects.toThrow('boom');
      await expect(
        store.locks.withLock('demo/bookinfo/reviews', async () => 'free'),
      ).resolves.toBe('free');
    },
  );

  it.each(databases.eachSupportedId())(
    'renews a lock while its work runs, and takes over one whose holder died (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const short = () =>
        MeshStore.create(
          mockServices.database({ knex, migrations: { skip: false } }),
          { lockTtlMs: 300 },
        );
      const [a, b] = [await short(), await short()];
      // Work longer than the lock's life: renewal keeps it held, and the lease stays valid.
      const slow = a.locks.withLock('demo/bookinfo/reviews', async lease => {
        await new Promise(r => setTimeout(r, 900));
        lease.assertHeld();
        return 'done';
      });
      await new Promise(r => setTimeout(r, 600));
      await expect(
        b.locks.withLock('demo/bookinfo/reviews', async () => 'stolen'),
      ).rejects.toThrow(/in progress/);
      await expect(slow).resolves.toBe('done');
      // A holder that dies leaves a row that expires by the database's clock.
      await knex('mesh_locks').insert({
        lock_key: 'demo/bookinfo/ratings',
        holder: 'dead',
        expires_at: knex.raw('0'),
      });
      await expect(
        b.locks.withLock('demo/bookinfo/ratings', async () => 'taken over'),
      ).resolves.toBe('taken over');
    },
  );

  it.each(databases.eachSupportedId())(
    'tells a holder whose lock was taken from it to stop writing (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await MeshStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
        { lockTtlMs: 300 },
      );
      const outcome = store.locks.withLock(
        'demo/bookinfo/reviews',
        async lease => {
          await knex('mesh_locks')
            .where('lock_key', 'demo/bookinfo/reviews')
            .update({ holder: 'someone else' });
          await new Promise(r => setTimeout(r, 400));
          lease.assertHeld();
        },
      );
      await expect(outcome).rejects.toThrow(
        /expired before the change finished/,
      );
    },
  );
});
