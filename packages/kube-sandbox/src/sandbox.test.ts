import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import https from 'node:https';
import { loadTopology } from './topology';
import { topologyPath } from './topologies';
import { Sandbox, startSandbox } from './sandbox';

const VS = {
  group: 'networking.istio.io',
  version: 'v1',
  namespace: 'bookinfo',
  plural: 'virtualservices',
};

function virtualService(subset: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: 'reviews',
      namespace: 'bookinfo',
      labels: { team: 'bookinfo' },
    },
    spec: {
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [
        {
          route: [
            {
              destination: {
                host: 'reviews.bookinfo.svc.cluster.local',
                subset,
              },
              weight: 100,
            },
          ],
          ...extra,
        },
      ],
    },
  };
}

describe('kube-sandbox with @kubernetes/client-node', () => {
  let sandbox: Sandbox;
  const kc = (context: string) => {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfigPath);
    config.setCurrentContext(context);
    return config;
  };
  const customObjects = (context = 'east') =>
    kc(context).makeApiClient(CustomObjectsApi);
  const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
  }, 30_000);
  afterAll(() => sandbox?.stop());
  afterEach(() => sandbox?.faults.reset());

  it('serves each cluster over HTTPS with its own CA, and a kubeconfig context per cluster', async () => {
    expect(sandbox.clusters.map(c => [c.name, c.role])).toEqual([
      ['east', 'primary'],
      ['west', 'primary'],
      ['edge', 'remote'],
    ]);
    expect(new Set(sandbox.clusters.map(c => c.caData)).size).toBe(3);
    const version = await kc('west').makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.31/);
  });

  it('refuses a request without the bearer token with a 401 Status', async () => {
    const east = sandbox.clusters[0];
    const { status, body } = await new Promise<{ status: number; body: any }>(
      (resolve, reject) => {
        https
          .get(
            `${east.url}/api/v1/namespaces`,
            { ca: Buffer.from(east.caData, 'base64') },
            res => {
              let text = '';
              res.on('data', c => (text += c));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  body: JSON.parse(text),
                }),
              );
            },
          )
          .on('error', reject);
      },
    );
    expect(status).toBe(401);
    expect(body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('seeds the demo workloads: deployments by app, pods labelled with version and cluster', async () => {
    const west = kc('west').makeApiClient(AppsV1Api);
    const list = await west.listNamespacedDeployment({
      namespace: 'bookinfo',
      labelSelector: 'app=reviews',
    });
    expect(
      list.items.map(d => [
        d.metadata?.labels?.version,
        d.status?.readyReplicas,
      ]),
    ).toEqual([
      ['v1', 2],
      ['v2', 1],
      ['v3', 2],
    ]);
    const pods = await kc('east').makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: 'bookinfo',
      labelSelector: 'app=reviews,version in (v2)',
    });
    expect(
      pods.items.map(p => p.metadata?.labels?.['topology.istio.io/cluster']),
    ).toEqual(['east']);
    const byName = await west.listNamespacedDeployment({
      namespace: 'bookinfo',
      fieldSelector: 'metadata.name=ratings-v1',
    });
    expect(byName.items.map(d => d.metadata?.name)).toEqual(['ratings-v1']);
  });

  it('server-side applies a VirtualService, keeps managedFields, and gets it back', async () => {
    const api = customObjects();
    const created: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: virtualService('v1'),
        fieldManager: 'mesh-test',
      },
      ssa,
    );
    expect(created.metadata).toMatchObject({ name: 'reviews', generation: 1 });
    expect(created.metadata.uid).toBeTruthy();
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'mesh-test',
        operation: 'Apply',
        fieldsV1: expect.objectContaining({
          'f:spec': { 'f:hosts': {}, 'f:http': {} },
        }),
      }),
    ]);
    const got: any = await api.getNamespacedCustomObject({
      ...VS,
      name: 'reviews',
    });
    expect(got.spec.http[0].route[0].destination.subset).toBe('v1');
    expect(Number(got.metadata.resourceVersion)).toBeGreaterThan(0);

    const again: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: virtualService('v2'),
        fieldManager: 'mesh-test',
      },
      ssa,
    );
    expect(again.metadata.generation).toBe(2);
    expect(Number(again.metadata.resourceVersion)).toBeGreaterThan(
      Number(got.metadata.resourceVersion),
    );
  });

  it('serves the v1beta1 and v1alpha3 aliases of Istio objects', async () => {
    const got: any = await customObjects().getNamespacedCustomObject({
      ...VS,
      version: 'v1alpha3',
      name: 'reviews',
    });
    expect(got.apiVersion).toBe('networking.istio.io/v1alpha3');
  });

  it('lists by label selector', async () => {
    const api = customObjects();
    const hit: any = await api.listNamespacedCustomObject({
      ...VS,
      labelSelector: 'team=bookinfo',
    });
    const miss: any = await api.listNamespacedCustomObject({
      ...VS,
      labelSelector: 'team!=bookinfo',
    });
    expect(hit.items.map((i: any) => i.metadata.name)).toEqual(['reviews']);
    expect(miss.items).toEqual([]);
  });

  it('reports a conflict between two field managers, naming the other manager, unless forced', async () => {
    const api = customObjects();
    await expect(
      api.patchNamespacedCustomObject(
        {
          ...VS,
          name: 'reviews',
          body: virtualService('v3'),
          fieldManager: 'intruder',
        },
        ssa,
      ),
    ).rejects.toMatchObject({
      code: 409,
      body: expect.stringContaining('conflict with \\"mesh-test\\"'),
    });
    const forced: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: virtualService('v3'),
        fieldManager: 'intruder',
        force: true,
      },
      ssa,
    );
    expect(forced.spec.http[0].route[0].destination.subset).toBe('v3');
    expect(forced.metadata.managedFields.map((m: any) => m.manager)).toEqual([
      'mesh-test',
      'intruder',
    ]);
  });

  it('requires a field manager for apply', async () => {
    await expect(
      customObjects().patchNamespacedCustomObject(
        { ...VS, name: 'reviews', body: virtualService('v1') },
        ssa,
      ),
    ).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining('fieldManager: Required value'),
    });
  });

  it('validates but changes nothing on dryRun=All', async () => {
    const api = customObjects();
    const before: any = await api.getNamespacedCustomObject({
      ...VS,
      name: 'reviews',
    });
    const preview: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: virtualService('v1'),
        fieldManager: 'intruder',
        dryRun: 'All',
      },
      ssa,
    );
    expect(preview.spec.http[0].route[0].destination.subset).toBe('v1');
    const after: any = await api.getNamespacedCustomObject({
      ...VS,
      name: 'reviews',
    });
    expect(after).toEqual(before);
  });

  it('refuses an invalid VirtualService with 422 naming the field, by the CRD schema and its CEL rules', async () => {
    const api = customObjects();
    const badDuration = api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: virtualService('v1', { timeout: '500us' }),
        fieldManager: 'intruder',
        force: true,
      },
      ssa,
    );
    await expect(badDuration).rejects.toMatchObject({ code: 422 });
    const body = JSON.parse(((await badDuration.catch(e => e)) as any).body);
    expect(body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      code: 422,
    });
    expect(body.details.causes).toEqual([
      expect.objectContaining({
        field: 'spec.http[0].timeout',
        reason: 'FieldValueInvalid',
      }),
    ]);

    const badWeight: any = await api
      .createNamespacedCustomObject({
        ...VS,
        body: {
          ...virtualService('v1'),
          metadata: { name: 'bad', namespace: 'bookinfo' },
          spec: {
            hosts: ['x'],
            http: [{ route: [{ destination: { host: 'x' }, weight: 'lots' }] }],
          },
        },
      })
      .catch(e => e);
    expect(badWeight.code).toBe(422);
    expect(JSON.parse(badWeight.body).details.causes[0].field).toBe(
      'spec.http[0].route[0].weight',
    );
  });

  it('updates with a resourceVersion precondition (409 when stale) and merge-patches', async () => {
    const api = customObjects();
    const live: any = await api.getNamespacedCustomObject({
      ...VS,
      name: 'reviews',
    });
    const stale = {
      ...live,
      metadata: { ...live.metadata, resourceVersion: '1' },
    };
    await expect(
      api.replaceNamespacedCustomObject({
        ...VS,
        name: 'reviews',
        body: stale,
      }),
    ).rejects.toMatchObject({ code: 409 });
    const replaced: any = await api.replaceNamespacedCustomObject({
      ...VS,
      name: 'reviews',
      body: live,
    });
    expect(replaced.metadata.resourceVersion).not.toBe(
      live.metadata.resourceVersion,
    );
    const patched: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'reviews',
        body: { metadata: { labels: { tier: 'backend' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata.labels).toEqual({
      team: 'bookinfo',
      tier: 'backend',
    });
  });

  it('deletes, then answers 404', async () => {
    const api = customObjects();
    await api.deleteNamespacedCustomObject({ ...VS, name: 'reviews' });
    await expect(
      api.getNamespacedCustomObject({ ...VS, name: 'reviews' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('injects latency, failures and outages, and counts requests', async () => {
    const api = customObjects('west');
    sandbox.faults.cluster('west').failNext({
      verb: 'list',
      resource: 'virtualservices',
      status: 500,
      count: 1,
    });
    await expect(api.listNamespacedCustomObject(VS)).rejects.toMatchObject({
      code: 500,
    });
    await expect(api.listNamespacedCustomObject(VS)).resolves.toMatchObject({
      items: [],
    });
    expect(
      sandbox.faults.cluster('west').requestCounts()['list virtualservices'],
    ).toBe(2);

    sandbox.faults.setLatency('west', 150);
    const started = Date.now();
    await api.listNamespacedCustomObject(VS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);

    await sandbox.faults.down('west');
    await expect(api.listNamespacedCustomObject(VS)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await sandbox.faults.up('west');
    await expect(api.listNamespacedCustomObject(VS)).resolves.toMatchObject({
      items: [],
    });
  });

  it('exposes the same faults over its admin endpoint', async () => {
    await fetch(`${sandbox.adminUrl}/clusters/edge/latency`, {
      method: 'POST',
      body: JSON.stringify({ ms: 25 }),
    });
    const clusters = await (await fetch(`${sandbox.adminUrl}/clusters`)).json();
    expect(clusters.find((c: any) => c.name === 'edge')).toMatchObject({
      up: true,
      latencyMs: 25,
    });
    expect(sandbox.faults.cluster('edge').latencyMs).toBe(25);
  });

  it('treats resourceVersion in an apply body as a precondition, and honours delete preconditions', async () => {
    const api = customObjects('west');
    const created: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'guarded',
        body: {
          ...virtualService('v1'),
          metadata: { name: 'guarded', namespace: 'bookinfo' },
        },
        fieldManager: 'mesh-test',
      },
      ssa,
    );
    const rv = created.metadata.resourceVersion;
    const next: any = await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'guarded',
        body: {
          ...virtualService('v2'),
          metadata: {
            name: 'guarded',
            namespace: 'bookinfo',
            resourceVersion: rv,
          },
        },
        fieldManager: 'mesh-test',
      },
      ssa,
    );
    await expect(
      api.patchNamespacedCustomObject(
        {
          ...VS,
          name: 'guarded',
          body: {
            ...virtualService('v3'),
            metadata: {
              name: 'guarded',
              namespace: 'bookinfo',
              resourceVersion: rv,
            },
          },
          fieldManager: 'mesh-test',
        },
        ssa,
      ),
    ).rejects.toMatchObject({
      code: 409,
      body: expect.stringContaining('the object has been modified'),
    });
    await expect(
      api.deleteNamespacedCustomObject({
        ...VS,
        name: 'guarded',
        body: { preconditions: { resourceVersion: rv } },
      }),
    ).rejects.toMatchObject({
      code: 409,
      body: expect.stringContaining(
        'Precondition failed: ResourceVersion in precondition',
      ),
    });
    await expect(
      api.deleteNamespacedCustomObject({
        ...VS,
        name: 'guarded',
        body: { preconditions: { uid: 'not-its-uid' } },
      }),
    ).rejects.toMatchObject({ code: 409 });
    await api.deleteNamespacedCustomObject({
      ...VS,
      name: 'guarded',
      body: {
        preconditions: {
          resourceVersion: next.metadata.resourceVersion,
          uid: next.metadata.uid,
        },
      },
    });
    await expect(
      api.getNamespacedCustomObject({ ...VS, name: 'guarded' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('compares values regardless of map key order: re-applying the same object in another order changes nothing', async () => {
    const api = customObjects('west');
    const body = {
      ...virtualService('v1'),
      metadata: {
        name: 'ordered',
        namespace: 'bookinfo',
        labels: { a: '1', b: '2' },
      },
    };
    const first: any = await api.patchNamespacedCustomObject(
      { ...VS, name: 'ordered', body, fieldManager: 'mesh-test' },
      ssa,
    );
    const reordered = {
      spec: { http: body.spec.http, hosts: body.spec.hosts },
      metadata: {
        labels: { b: '2', a: '1' },
        namespace: 'bookinfo',
        name: 'ordered',
      },
      kind: body.kind,
      apiVersion: body.apiVersion,
    };
    const again: any = await api.patchNamespacedCustomObject(
      { ...VS, name: 'ordered', body: reordered, fieldManager: 'mesh-test' },
      ssa,
    );
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    // Another manager setting the same value in another order is no conflict.
    await expect(
      api.patchNamespacedCustomObject(
        { ...VS, name: 'ordered', body: reordered, fieldManager: 'other-tool' },
        ssa,
      ),
    ).resolves.toBeDefined();
    await api.deleteNamespacedCustomObject({ ...VS, name: 'ordered' });
  });

  it('logs the writes it accepted, in order, per cluster, also over its admin endpoint', async () => {
    const api = customObjects('edge');
    sandbox.servers.get('edge')!.writes.clear();
    await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'logged',
        body: {
          ...virtualService('v1'),
          metadata: { name: 'logged', namespace: 'bookinfo' },
        },
        fieldManager: 'mesh-test',
        dryRun: 'All',
      },
      ssa,
    );
    await api.createNamespacedCustomObject({
      ...VS,
      body: {
        ...virtualService('v1'),
        metadata: { name: 'logged', namespace: 'bookinfo' },
      },
    });
    await api.patchNamespacedCustomObject(
      {
        ...VS,
        name: 'logged',
        body: {
          ...virtualService('v2'),
          metadata: { name: 'logged', namespace: 'bookinfo' },
        },
        fieldManager: 'mesh-test',
        force: true,
      },
      ssa,
    );
    await api.deleteNamespacedCustomObject({ ...VS, name: 'logged' });
    const writes = await (
      await fetch(`${sandbox.adminUrl}/clusters/edge/writes`)
    ).json();
    expect(
      writes.map((w: any) => [
        w.seq,
        w.verb,
        w.kind,
        w.name,
        w.spec?.http?.[0]?.route?.[0]?.destination?.subset,
      ]),
    ).toEqual([
      [1, 'create', 'VirtualService', 'logged', 'v1'],
      [2, 'apply', 'VirtualService', 'logged', 'v2'],
      [3, 'delete', 'VirtualService', 'logged', undefined],
    ]);
    expect(
      await (
        await fetch(`${sandbox.adminUrl}/clusters/edge/writes?since=2`)
      ).json(),
    ).toHaveLength(1);
  });

  it('drops a request whose client gave up while it waited, and lands a write whose answer comes late', async () => {
    const api = customObjects('east');
    const body = {
      ...virtualService('v1'),
      metadata: { name: 'late', namespace: 'bookinfo' },
    };
    const give = (ms: number) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), ms);
      return {
        middleware: [
          {
            pre: (ctx: any) => {
              ctx.setSignal(controller.signal);
              return ssaObservable(ctx);
            },
            post: (r: any) => ssaObservable(r),
          },
        ],
        middlewareMergeStrategy: 'append',
      } as any;
    };
    sandbox.faults.setLatency('east', 300);
    await expect(
      api.createNamespacedCustomObject({ ...VS, body }, give(50)),
    ).rejects.toThrow();
    sandbox.faults.setLatency('east', 0);
    await new Promise(r => setTimeout(r, 400));
    await expect(
      api.getNamespacedCustomObject({ ...VS, name: 'late' }),
    ).rejects.toMatchObject({ code: 404 });

    sandbox.faults.cluster('east').setAnswerDelay(300);
    await expect(
      api.createNamespacedCustomObject({ ...VS, body }, give(50)),
    ).rejects.toThrow();
    sandbox.faults.cluster('east').setAnswerDelay(0);
    await expect(
      api.getNamespacedCustomObject({ ...VS, name: 'late' }),
    ).resolves.toMatchObject({ metadata: { name: 'late' } });
    await api.deleteNamespacedCustomObject({ ...VS, name: 'late' });
  });

  it('serves Istio telemetry from its traffic model at /metrics, without a token, as a proxy’s stats port does', async () => {
    sandbox.traffic.get('demo')!.advance(5);
    const east = sandbox.clusters.find(c => c.name === 'east')!;
    const text = await new Promise<string>((resolve, reject) => {
      https
        .get(
          `${east.url}/metrics`,
          { ca: Buffer.from(east.caData, 'base64') },
          res => {
            let body = '';
            res.on('data', c => (body += c));
            res.on('end', () => resolve(body));
          },
        )
        .on('error', reject);
    });
    // productpage runs on east and calls reviews and details: east reports them as the source.
    expect(text).toMatch(
      /istio_requests_total\{[^}]*destination_service_name="reviews"[^}]*reporter="source"[^}]*source_cluster="east"[^}]*\} \d+/,
    );
    expect(text).toMatch(
      /istio_request_duration_milliseconds_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/,
    );
    // A cluster reports only its own proxies' view: nothing east shows was sent by west's as the source.
    const fromWest = text
      .split('\n')
      .filter(
        l =>
          l.includes('reporter="source"') &&
          l.includes('source_cluster="west"'),
      );
    expect(fromWest).toEqual([]);
  });
});

function ssaObservable<T>(value: T) {
  return new Observable(Promise.resolve(value));
}
