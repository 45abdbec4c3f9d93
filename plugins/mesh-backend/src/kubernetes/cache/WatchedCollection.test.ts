import { RoutingObject } from '@meshtraffic/backstage-plugin-mesh-common';
import { ObjectIndex } from './ObjectIndex';
import { ApiException } from '@kubernetes/client-node';
import {
  AUTHORIZATION_POLICIES,
  ROUTING_INDEXERS,
  VIRTUAL_SERVICES,
} from './watchedKinds';
import {
  DEFAULT_COLLECTION_OPTIONS,
  WatchedCollection,
} from './WatchedCollection';
import { ListPage, WatchTransport } from './WatchTransport';

const vs = (
  name: string,
  rv: string,
  host = `${name}.bookinfo.svc.cluster.local`,
) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: {
    name,
    namespace: 'bookinfo',
    resourceVersion: rv,
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:hosts': {} } },
      },
    ],
  },
  spec: { hosts: [host] },
});

/** A transport whose pages and stream the test drives, to pin the collection's own rules. */
function scripted(pages: ListPage[], opts: { hang?: boolean } = {}) {
  let emit: ((type: string, object: any) => void) | undefined;
  let watches = 0;
  let lists = 0;
  const transport: WatchTransport = {
    listPage: async (_path, query) => {
      lists += 1;
      return pages[query.continue ? Number(query.continue) : 0];
    },
    watch: (_path, _query, onEvent, onDone) => {
      watches += 1;
      emit = onEvent;
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => onDone(null));
      // A watch whose answer never comes: the promise never settles.
      if (opts.hang) return new Promise<AbortController>(() => {});
      return Promise.resolve(controller);
    },
  };
  return {
    transport,
    event: (type: string, object: any) => emit!(type, object),
    watching: () => emit !== undefined,
    watches: () => watches,
    lists: () => lists,
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++)
    await new Promise(r => setTimeout(r, 5));
};

describe('ObjectIndex', () => {
  it('finds objects by each value an indexer gives, and forgets the old values when an object changes', () => {
    const index = new ObjectIndex<RoutingObject>(ROUTING_INDEXERS);
    index.set(VIRTUAL_SERVICES.slim(vs('a', '1', 'reviews')));
    expect(
      index
        .find('host', 'reviews.bookinfo.svc.cluster.local')
        .map(o => o.metadata.name),
    ).toEqual(['a']);
    index.set(VIRTUAL_SERVICES.slim(vs('a', '2', 'ratings')));
    expect(index.find('host', 'reviews.bookinfo.svc.cluster.local')).toEqual(
      [],
    );
    expect(index.count('host', 'ratings.bookinfo.svc.cluster.local')).toBe(1);
    index.delete('bookinfo/a');
    expect(index.size).toBe(0);
    expect(index.values('host')).toEqual([]);
  });
});

describe('WatchedCollection', () => {
  const options = { ...DEFAULT_COLLECTION_OPTIONS, pageSize: 1, sliceSize: 1 };

  it('takes every page of the list, keeps of managedFields only who manages it, then applies the watch', async () => {
    const s = scripted([
      {
        items: [vs('a', '1')],
        metadata: { resourceVersion: '5', continue: '1' },
      },
      { items: [vs('b', '2')], metadata: { resourceVersion: '5' } },
    ]);
    const c = new WatchedCollection(
      VIRTUAL_SERVICES,
      s.transport,
      'east',
      undefined,
      options,
    );
    expect(await c.whenSynced(1000)).toBe(true);
    expect(c.health()).toMatchObject({ synced: true, objects: 2 });
    expect(c.get('bookinfo/a')!.metadata.managedFields).toEqual([
      { manager: 'kubectl', operation: 'Apply' },
    ]);
    await until(s.watching);
    s.event('DELETED', vs('a', '6'));
    s.event('ADDED', vs('c', '7'));
    expect(c.get('bookinfo/a')).toBeUndefined();
    expect(c.find('name', 'bookinfo/c')).toHaveLength(1);
    c.stop();
  });

  it('shows our own write until the watch delivers it, and never over a later change someone else made', async () => {
    const s = scripted([
      { items: [vs('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    const c = new WatchedCollection(
      VIRTUAL_SERVICES,
      s.transport,
      'east',
      undefined,
      options,
    );
    await c.whenSynced(1000);
    await until(s.watching);
    c.observe(vs('a', '3', 'ours'));
    expect(c.find('host', 'ours.bookinfo.svc.cluster.local')).toHaveLength(1);
    // An older event of the object does not hide our write.
    s.event('MODIFIED', vs('a', '2', 'older'));
    expect(c.get('bookinfo/a')!.spec).toEqual({ hosts: ['ours'] });
    // Ours arrives, then someone else's: the watch is the truth again.
    s.event('MODIFIED', vs('a', '3', 'ours'));
    s.event('MODIFIED', vs('a', '4', 'theirs'));
    expect(c.get('bookinfo/a')!.spec).toEqual({ hosts: ['theirs'] });
    // A write answered after the watch already delivered a later version adds nothing.
    c.observe(vs('a', '3', 'ours'));
    expect(c.get('bookinfo/a')!.spec).toEqual({ hosts: ['theirs'] });
    c.observeDeleted('bookinfo', 'a');
    expect(c.get('bookinfo/a')).toBeUndefined();
    expect(c.find('name', 'bookinfo/a')).toEqual([]);
    c.stop();
  });

  it('leaves no phantom when we delete what only our create held, or when the watch already said it is gone', async () => {
    const s = scripted([{ items: [], metadata: { resourceVersion: '1' } }]);
    const c = new WatchedCollection(
      VIRTUAL_SERVICES,
      s.transport,
      'east',
      undefined,
      options,
    );
    await c.whenSynced(1000);
    await until(s.watching);
    // Created, then deleted, before the watch delivered either.
    c.observe(vs('b', '2'));
    c.observeDeleted('bookinfo', 'b');
    s.event('ADDED', vs('b', '2'));
    expect(c.get('bookinfo/b')).toBeUndefined();
    s.event('DELETED', vs('b', '3'));
    expect(c.get('bookinfo/b')).toBeUndefined();
    // An answer that comes after the watch had moved past it adds nothing.
    c.observe(vs('b', '2'));
    expect(c.get('bookinfo/b')).toBeUndefined();
    c.stop();
  });

  it('reports an ERROR event from the server as broken, backs off, and lists again', async () => {
    const s = scripted([
      { items: [vs('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    const c = new WatchedCollection(
      VIRTUAL_SERVICES,
      s.transport,
      'east',
      undefined,
      options,
    );
    await c.whenSynced(1000);
    await until(s.watching);
    s.event('ERROR', { kind: 'Status', code: 500, message: 'etcd is sick' });
    await until(() => c.health().brokenSince !== undefined);
    expect(c.health()).toMatchObject({ brokenSince: expect.any(String) });
    expect(c.health().error).toMatch(/etcd is sick/);
    await until(() => s.lists() === 2);
    expect(s.lists()).toBe(2);
    c.stop();
  });

  it('gives up on a watch whose answer never comes, and says the cluster is broken', async () => {
    const s = scripted([{ items: [], metadata: { resourceVersion: '1' } }], {
      hang: true,
    });
    const c = new WatchedCollection(
      VIRTUAL_SERVICES,
      s.transport,
      'east',
      undefined,
      {
        ...options,
        openTimeoutMs: 100,
      },
    );
    await c.whenSynced(1000);
    await until(() => c.health().brokenSince !== undefined);
    expect(c.health().error).toMatch(/did not answer within 100ms/);
    c.stop();
  });

  it('reads a kind its credential may not list yet as none, synced, while one it must read is broken by the same 403', async () => {
    const forbidden = () => {
      throw new ApiException(403, 'forbidden', '{}', {});
    };
    const transport: WatchTransport = {
      listPage: async () => forbidden(),
      watch: async () => forbidden(),
    };
    const policies = new WatchedCollection(
      AUTHORIZATION_POLICIES,
      transport,
      'east',
      undefined,
      options,
    );
    expect(await policies.whenSynced(1000)).toBe(true);
    expect(policies.health()).toMatchObject({ absent: true, objects: 0 });
    const routes = new WatchedCollection(
      VIRTUAL_SERVICES,
      transport,
      'east',
      undefined,
      options,
    );
    expect(await routes.whenSynced(1000)).toBe(false);
    expect(routes.health().brokenSince).toBeDefined();
    policies.stop();
    routes.stop();
  });
});
