import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { loadTopology } from './topology';
import { topologyPath } from './topologies';
import { Sandbox, startSandbox } from './sandbox';

const VS = {
  group: 'networking.istio.io',
  version: 'v1',
  namespace: 'bookinfo',
  plural: 'virtualservices',
};
const PATH = '/apis/networking.istio.io/v1/virtualservices';

const virtualService = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: 'bookinfo', labels },
  spec: { hosts: [`${name}.bookinfo.svc.cluster.local`] },
});

type Event = { type: string; object: any };

describe('kube-sandbox watches and pages as the API server does', () => {
  let sandbox: Sandbox;
  let kc: KubeConfig;
  let api: CustomObjectsApi;
  const controllers: AbortController[] = [];

  /** A watch through client-node's own Watch; resolves once the stream is open. */
  async function watch(query: Record<string, string | number | boolean>) {
    const events: Event[] = [];
    let ended: unknown = 'open';
    const controller = await new Watch(kc).watch(
      PATH,
      query,
      (type, object) => events.push({ type, object }),
      err => (ended = err ?? null),
    );
    controllers.push(controller);
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++)
        await new Promise(r => setTimeout(r, 20));
      return check();
    };
    return { events, ended: () => ended, until };
  }

  const listRv = async () =>
    (await api.listClusterCustomObject(VS)).metadata.resourceVersion as string;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    kc.setCurrentContext('east');
    api = kc.makeApiClient(CustomObjectsApi);
  }, 30_000);
  afterEach(() => {
    for (const c of controllers.splice(0)) c.abort();
    sandbox.faults.reset();
  });
  afterAll(() => sandbox?.stop());

  it('streams ADDED, MODIFIED and DELETED after the resourceVersion a list gave', async () => {
    const w = await watch({ resourceVersion: await listRv() });
    await api.createNamespacedCustomObject({
      ...VS,
      body: virtualService('a'),
    });
    await api.patchNamespacedCustomObject({
      ...VS,
      name: 'a',
      body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
    });
    await api.deleteNamespacedCustomObject({ ...VS, name: 'a' });
    expect(await w.until(() => w.events.length === 3)).toBe(true);
    expect(w.events.map(e => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = w.events.map(e => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(3);
  });

  it('replays the changes a resumed watch missed', async () => {
    const from = await listRv();
    await api.createNamespacedCustomObject({
      ...VS,
      body: virtualService('b'),
    });
    const w = await watch({ resourceVersion: from });
    expect(await w.until(() => w.events.length === 1)).toBe(true);
    expect(w.events[0]).toMatchObject({
      type: 'ADDED',
      object: { metadata: { name: 'b' } },
    });
    await api.deleteNamespacedCustomObject({ ...VS, name: 'b' });
  });

  it('answers a resourceVersion older than its history with an ERROR event holding 410 Expired', async () => {
    const from = await listRv();
    await api.createNamespacedCustomObject({
      ...VS,
      body: virtualService('c'),
    });
    sandbox.faults.compact('east');
    const w = await watch({ resourceVersion: from });
    expect(await w.until(() => w.ended() !== 'open')).toBe(true);
    expect(w.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ code: 410, reason: 'Expired' }),
      },
    ]);
    await api.deleteNamespacedCustomObject({ ...VS, name: 'c' });
  });

  it('sends bookmarks when allowed and ends the stream after timeoutSeconds', async () => {
    sandbox.faults.cluster('east').bookmarkIntervalMs = 100;
    const w = await watch({
      resourceVersion: await listRv(),
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    expect(await w.until(() => w.ended() === null)).toBe(true);
    const bookmarks = w.events.filter(e => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThan(3);
    expect(bookmarks[0].object.metadata.resourceVersion).toMatch(/^\d+$/);
    sandbox.faults.cluster('east').bookmarkIntervalMs = 5000;
  });

  it('selects by label: an object a change moves out of the selection is DELETED for the watcher', async () => {
    const w = await watch({
      resourceVersion: await listRv(),
      labelSelector: 'team=t',
    });
    await api.createNamespacedCustomObject({
      ...VS,
      body: virtualService('d', { team: 't' }),
    });
    await api.patchNamespacedCustomObject({
      ...VS,
      name: 'd',
      body: [{ op: 'replace', path: '/metadata/labels/team', value: 'u' }],
    });
    expect(await w.until(() => w.events.length === 2)).toBe(true);
    expect(w.events.map(e => e.type)).toEqual(['ADDED', 'DELETED']);
    await api.deleteNamespacedCustomObject({ ...VS, name: 'd' });
  });

  it('breaks open streams on cutWatches, and the client sees the stream end', async () => {
    const w = await watch({ resourceVersion: await listRv() });
    expect(sandbox.faults.cutWatches('east')).toBeGreaterThanOrEqual(1);
    expect(await w.until(() => w.ended() !== 'open')).toBe(true);
    expect(
      sandbox.faults.cluster('east').requestCounts()['watch virtualservices'],
    ).toBe(1);
  });

  it('pages a list with limit and continue, and refuses a continue token older than its history', async () => {
    for (const n of ['p1', 'p2', 'p3'])
      await api.createNamespacedCustomObject({
        ...VS,
        body: virtualService(n),
      });
    const first = await api.listClusterCustomObject({ ...VS, limit: 2 });
    expect(first.items.map((i: any) => i.metadata.name)).toEqual(['p1', 'p2']);
    expect(first.metadata.remainingItemCount).toBe(1);
    const second = await api.listClusterCustomObject({
      ...VS,
      limit: 2,
      _continue: first.metadata.continue,
    });
    expect(second.items.map((i: any) => i.metadata.name)).toEqual(['p3']);
    expect(second.metadata.continue).toBeUndefined();
    expect(second.metadata.resourceVersion).toBe(
      first.metadata.resourceVersion,
    );
    // etcd compacts history up to a later revision: reads at the token's are gone.
    await api.createNamespacedCustomObject({
      ...VS,
      body: virtualService('p4'),
    });
    sandbox.faults.compact('east');
    await expect(
      api.listClusterCustomObject({
        ...VS,
        limit: 2,
        _continue: first.metadata.continue,
      }),
    ).rejects.toMatchObject({ code: 410 });
    for (const n of ['p1', 'p2', 'p3', 'p4'])
      await api.deleteNamespacedCustomObject({ ...VS, name: n });
  });
});
