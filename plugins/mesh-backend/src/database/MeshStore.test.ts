import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { MeshStore } from './MeshStore';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'], disableDocker: true });

async function storesOn(databaseId: any, replicas = 1) {
  const knex = await databases.init(databaseId);
  const stores = [];
  // Several stores on one database stand for several backend replicas sharing it.
  for (let i = 0; i < replicas; i++) stores.push(await MeshStore.create(mockServices.database({ knex, migrations: { skip: false } })));
  return stores;
}

describe('MeshStore', () => {
  it('runs on PostgreSQL as well as SQLite', () => {
    expect(databases.eachSupportedId().map(([id]) => id)).toEqual(
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ? ['POSTGRES_15', 'SQLITE_3'] : ['SQLITE_3'],
    );
  });

  it.each(databases.eachSupportedId())('records history, newest first, with every outcome (%p)', async databaseId => {
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
        { cluster: 'west', outcome: 'failed', message: '500 InternalError: boom' },
      ],
      scaffolderTaskId: 'task-1',
    });
    expect(failed).toBeGreaterThan(ok);
    const history = await store.history('component:default/reviews');
    expect(history.map(h => [h.id, h.ok, h.clusters.map(c => c.outcome)])).toEqual([
      [failed, false, ['restored', 'failed']],
      [ok, true, ['applied']],
    ]);
    expect(history[0]).toMatchObject({ scaffolderTaskId: 'task-1', intentBefore: { split: [{ version: 'v1', weight: 100 }] } });
    expect(await store.entry('component:default/reviews', ok)).toMatchObject({ id: ok, actor: 'user:default/guest' });
    expect(await store.entry('component:default/other', ok)).toBeUndefined();
  });

  it.each(databases.eachSupportedId())('never lets two replicas change one entity at once (%p)', async databaseId => {
    const [a, b] = await storesOn(databaseId, 2);
    let release!: () => void;
    const held = new Promise<void>(resolve => (release = resolve));
    const first = a.withLock('component:default/reviews', () => held.then(() => 'first'));
    await new Promise(r => setTimeout(r, 50));
    await expect(b.withLock('component:default/reviews', async () => 'second')).rejects.toThrow(/another change to the routing of component:default\/reviews is in progress/);
    // Other entities are not blocked.
    await expect(b.withLock('component:default/ratings', async () => 'other')).resolves.toBe('other');
    release();
    await expect(first).resolves.toBe('first');
    await expect(b.withLock('component:default/reviews', async () => 'after')).resolves.toBe('after');
  });

  it.each(databases.eachSupportedId())('releases the lock when the work fails (%p)', async databaseId => {
    const [store] = await storesOn(databaseId);
    await expect(store.withLock('component:default/reviews', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(store.withLock('component:default/reviews', async () => 'free')).resolves.toBe('free');
  });
});
