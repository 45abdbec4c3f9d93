import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { RunningPrometheus, Sandbox } from '@meshtraffic/kube-sandbox';
import { execFile } from 'node:child_process';
import request from 'supertest';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
  useDemoWithPrometheus,
  userHeader,
} from '../__testUtils__/meshBackend';
import { describePrometheus } from '../__testUtils__/prometheusMesh';
import { expectDocumented } from '../__testUtils__/documented';

const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();
const PRIMARIES = ['east', 'west'];

const onlyProductpage = {
  split: [{ version: 'v1', weight: 100 }],
  access: {
    rules: [
      {
        from: [{ serviceAccount: 'bookinfo/productpage' }],
        methods: ['GET'],
      },
    ],
  },
};

describe('access: who may call a service, written as an AuthorizationPolicy on every config cluster', () => {
  let sandbox: Sandbox;
  let server: any;
  const kubectl = (cluster: string, args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(
        'kubectl',
        ['--kubeconfig', sandbox.kubeconfigPath, '--context', cluster, ...args],
        (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out)),
      ),
    );
  /** The policy as an operator reads it, or undefined when the cluster holds none. */
  const policyOn = async (cluster: string) => {
    const out = await kubectl(cluster, [
      'get',
      'authorizationpolicies.security.istio.io',
      '-n',
      'bookinfo',
      '-o',
      'json',
    ]);
    return JSON.parse(out).items.find(
      (p: any) => p.metadata.name === 'reviews',
    );
  };
  const state = async () =>
    (await request(server).get(path).set('Authorization', auth())).body;
  /** Without a Prometheus nobody can see whom a policy turns away: every change of access confirms that with `*`. */
  const apply = async (intent: unknown, confirmDenied = ['*']) =>
    request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: (await state()).revision, confirmDenied });

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
    }));
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it("plans the policy for both primaries, judged by Istio's CRD in a dry run", async () => {
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent: onlyProductpage });
    expect(plan.status).toBe(200);
    for (const cluster of PRIMARIES) {
      const planned = plan.body.clusters.find(
        (c: any) => c.cluster === cluster,
      );
      expect(planned.dryRun).toEqual({ ok: true });
      expect(
        planned.changes.map((c: any) => `${c.action} ${c.kind}/${c.name}`),
      ).toEqual(expect.arrayContaining(['create AuthorizationPolicy/reviews']));
      expect(planned.changes.at(-1).kind).toBe('AuthorizationPolicy');
    }
  });

  it('says the callers it would turn away cannot be seen without a Prometheus, and applies only once told so with *', async () => {
    const plan = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent: onlyProductpage });
    expect(plan.body.access).toEqual({
      window: '30m',
      turnedAway: [],
      unavailable: expect.stringMatching(/names no Prometheus/),
    });
    expectDocumented(
      '/entities/{kind}/{namespace}/{name}/plan',
      'post',
      '200',
      plan.body,
    );
    const refused = await apply(onlyProductpage, []);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(
      /confirmDenied: .*names no Prometheus.*confirmDenied: \["\*"\]/,
    );
    for (const cluster of PRIMARIES)
      expect(await policyOn(cluster)).toBeUndefined();
  });

  it('applies it to both primaries, reads it back as the intent, and takes it away again with the rest of a change', async () => {
    const res = await apply(onlyProductpage);
    expect(res.body).toMatchObject({ ok: true });
    for (const cluster of PRIMARIES) {
      const policy = await policyOn(cluster);
      expect(policy.spec).toEqual({
        selector: { matchLabels: { app: 'reviews' } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              {
                source: {
                  principals: ['cluster.local/ns/bookinfo/sa/productpage'],
                },
              },
            ],
            to: [{ operation: { methods: ['GET'] } }],
          },
        ],
      });
      expect(policy.metadata.labels['app.kubernetes.io/managed-by']).toBe(
        'backstage-mesh-traffic',
      );
    }
    const read = await state();
    expect(read.intent).toEqual(onlyProductpage);
    expect(
      read.clusters
        .filter((c: any) => PRIMARIES.includes(c.cluster))
        .flatMap((c: any) =>
          c.routing
            .filter((o: any) => o.kind === 'AuthorizationPolicy')
            .map((o: any) => o.status),
        ),
    ).toEqual(['ours', 'ours']);

    const open = await apply({ split: [{ version: 'v1', weight: 100 }] });
    expect(open.body).toMatchObject({ ok: true });
    for (const cluster of PRIMARIES)
      expect(await policyOn(cluster)).toBeUndefined();
    expect((await state()).intent).toEqual({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('puts the policy back on both primaries by rolling back to the change that wrote it', async () => {
    await apply(onlyProductpage);
    const history = async () =>
      (
        await request(server)
          .get(`${path}/history`)
          .set('Authorization', auth())
      ).body.items;
    const withPolicy = (await history())[0];
    expect(
      await apply({ split: [{ version: 'v1', weight: 100 }] }),
    ).toMatchObject({ body: { ok: true } });
    const back = await request(server)
      .post(`${path}/rollback`)
      .set('Authorization', auth())
      .send({
        to: withPolicy.id,
        revision: (await state()).revision,
        confirmDenied: ['*'],
      });
    expect(back.body).toMatchObject({ ok: true });
    for (const cluster of PRIMARIES)
      expect((await policyOn(cluster)).spec.rules[0].from).toEqual([
        {
          source: { principals: ['cluster.local/ns/bookinfo/sa/productpage'] },
        },
      ]);
  });

  it('calls the policy drifted when someone lets another caller in by hand', async () => {
    await apply(onlyProductpage);
    const policy = await policyOn('east');
    policy.spec.rules[0].from.push({
      source: { principals: ['cluster.local/ns/shop/sa/sneaky'] },
    });
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'kubectl',
        [
          '--kubeconfig',
          sandbox.kubeconfigPath,
          '--context',
          'east',
          'replace',
          '-f',
          '-',
        ],
        err => (err ? reject(err) : resolve()),
      );
      child.stdin!.end(JSON.stringify(policy));
    });
    // The watch brings the edit in within its latency.
    const eastNow = async () =>
      (await state()).clusters.find((c: any) => c.cluster === 'east');
    let east = await eastNow();
    for (let tries = 0; tries < 60 && !east.handEdit; tries++) {
      await new Promise(r => setTimeout(r, 50));
      east = await eastNow();
    }
    expect(
      east.routing.find((o: any) => o.kind === 'AuthorizationPolicy'),
    ).toMatchObject({ status: 'drifted' });
    expect(east.handEdit.intent.access.rules[0].from).toEqual([
      { serviceAccount: 'bookinfo/productpage' },
      { serviceAccount: 'shop/sneaky' },
    ]);
  });

  it('says who the callers a person may pick run as, read from the clusters, as documented', async () => {
    const res = await request(server)
      .get(
        '/api/mesh/meshes/demo/service-accounts?workload=bookinfo/productpage&workload=bookinfo/ratings&workload=bookinfo/nowhere',
      )
      .set('Authorization', auth());
    expect(res.status).toBe(200);
    expectDocumented('/meshes/{mesh}/service-accounts', 'get', '200', res.body);
    expect(res.body).toEqual({
      workloads: [
        {
          namespace: 'bookinfo',
          service: 'productpage',
          serviceAccounts: ['bookinfo/productpage'],
          clusters: ['east'],
        },
        {
          namespace: 'bookinfo',
          service: 'ratings',
          serviceAccounts: ['bookinfo/ratings'],
          clusters: ['west'],
        },
        {
          namespace: 'bookinfo',
          service: 'nowhere',
          serviceAccounts: [],
          clusters: [],
        },
      ],
      unreadable: [],
    });
    const system = await request(server)
      .get(
        '/api/mesh/meshes/demo/service-accounts?workload=kube-system/coredns',
      )
      .set('Authorization', auth());
    expect(system.body).toEqual({
      workloads: [
        {
          namespace: 'kube-system',
          service: 'coredns',
          serviceAccounts: [],
          clusters: [],
        },
      ],
      unreadable: [
        'kube-system/coredns (namespace kube-system is not one mesh demo lets the portal manage)',
      ],
    });
    const bad = await request(server)
      .get('/api/mesh/meshes/demo/service-accounts?workload=productpage')
      .set('Authorization', auth());
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/workload.*namespace\/service/);
    const unknown = await request(server)
      .get('/api/mesh/meshes/nomesh/service-accounts?workload=a/b')
      .set('Authorization', auth());
    expect(unknown.status).toBe(404);
  });

  /** Writes an AuthorizationPolicy on a cluster as a person with kubectl would; answers its deletion. */
  const handWritten = async (cluster: string, name: string, spec: object) => {
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'kubectl',
        [
          '--kubeconfig',
          sandbox.kubeconfigPath,
          '--context',
          cluster,
          'apply',
          '-f',
          '-',
        ],
        err => (err ? reject(err) : resolve()),
      );
      child.stdin!.end(
        JSON.stringify({
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name, namespace: 'bookinfo' },
          spec,
        }),
      );
    });
    return () =>
      kubectl(cluster, [
        'delete',
        'authorizationpolicies.security.istio.io',
        '-n',
        'bookinfo',
        name,
      ]);
  };
  /** Waits until the watch has brought a change in: the state's revision moves, or 3 s pass. */
  const settle = async (before: string) => {
    for (let i = 0; i < 60 && (await state()).revision === before; i++)
      await new Promise(r => setTimeout(r, 50));
  };

  it('leaves a policy someone else wrote under the service’s name alone while the intent has no access part, and asks for an adopt only to write its own', async () => {
    expect(
      (await apply({ split: [{ version: 'v1', weight: 100 }] })).body,
    ).toMatchObject({ ok: true });
    const before = (await state()).revision;
    const remove = await handWritten('east', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      action: 'DENY',
      rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
    });
    try {
      await settle(before);
      const routingOnly = await apply({
        split: [
          { version: 'v1', weight: 90 },
          { version: 'v2', weight: 10 },
        ],
      });
      expect(routingOnly.body).toMatchObject({ ok: true });
      expect((await policyOn('east')).spec.action).toBe('DENY');
      const withAccess = await apply(onlyProductpage);
      expect(withAccess.status).toBe(409);
      expect(withAccess.body.error.message).toMatch(
        /AuthorizationPolicy reviews \(hand-written\) on east; apply with adopt/,
      );
      expect((await policyOn('east')).spec.action).toBe('DENY');
    } finally {
      await remove();
    }
  });

  it('asks to confirm lifting its policy while another ALLOW policy of the namespace still decides who gets in', async () => {
    expect((await apply(onlyProductpage)).body).toMatchObject({ ok: true });
    const before = (await state()).revision;
    const remove = await handWritten('west', 'team-wide', {
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['istio-ingress'] } }] }],
    });
    try {
      // Another policy is not the host's routing: the revision stays, so wait for the watch.
      await new Promise(r => setTimeout(r, 500));
      expect((await state()).revision).toBe(before);
      const lift = { split: [{ version: 'v1', weight: 100 }] };
      const plan = await request(server)
        .post(`${path}/plan`)
        .set('Authorization', auth())
        .send({ intent: lift });
      expect(plan.body.access.unavailable).toMatch(
        /other ALLOW policies may select its workloads \(AuthorizationPolicy bookinfo\/team-wide on west\)/,
      );
      const refused = await apply(lift, []);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/team-wide on west/);
      // Removing the service's routing lifts its policy too: asked the same way.
      const removeRouting = (query: string) =>
        request(server)
          .delete(`${path}/intent?${query}`)
          .set('Authorization', auth());
      const unconfirmed = await removeRouting(
        `revision=${encodeURIComponent((await state()).revision)}`,
      );
      expect(unconfirmed.status).toBe(400);
      expect(unconfirmed.body.error.message).toMatch(/team-wide on west/);
      for (const cluster of PRIMARIES)
        expect(await policyOn(cluster)).toBeDefined();
      expect((await apply(lift, ['*'])).body).toMatchObject({ ok: true });
      for (const cluster of PRIMARIES)
        expect(await policyOn(cluster)).toBeUndefined();
      expect((await apply(onlyProductpage)).body).toMatchObject({ ok: true });
      const confirmed = await removeRouting(
        `revision=${encodeURIComponent(
          (
            await state()
          ).revision,
        )}&confirmDenied=*`,
      );
      expect(confirmed.body).toMatchObject({ ok: true });
      for (const cluster of PRIMARIES)
        expect(await policyOn(cluster)).toBeUndefined();
    } finally {
      await remove();
    }
  });

  it('lets only who may change the entity write its access, and only who may read the mesh learn its callers’ identities, writing nothing otherwise', async () => {
    const revision = (await state()).revision;
    const writes = () =>
      PRIMARIES.map(c => sandbox.servers.get(c)!.writes.list().length);
    const before = writes();
    const stranger = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', userHeader('user:default/mallory'))
      .send({ intent: onlyProductpage, revision, confirmDenied: ['*'] });
    expect(stranger.status).toBe(403);
    const denied = await startMeshBackend({
      sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      features: [
        mockServices.permissions.mock({
          authorize: async () => [{ result: AuthorizeResult.DENY }],
        }).factory,
      ],
    });
    const deniedApply = await request(denied.server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent: onlyProductpage, revision, confirmDenied: ['*'] });
    expect(deniedApply.status).toBe(403);
    const deniedAccounts = await request(denied.server)
      .get(
        '/api/mesh/meshes/demo/service-accounts?workload=bookinfo/productpage',
      )
      .set('Authorization', auth());
    expect(deniedAccounts.status).toBe(403);
    expect(writes()).toEqual(before);
  });

  it('refuses bad access with a 400 naming each field, writing nothing anywhere', async () => {
    const writes = () =>
      PRIMARIES.map(c => sandbox.servers.get(c)!.writes.list().length);
    const before = writes();
    const res = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({
        intent: {
          split: [{ version: 'v1', weight: 100 }],
          access: {
            rules: [
              {
                from: [
                  { principal: 'cluster.local/ns/bookinfo/sa/productpage' },
                  { serviceAccount: 'productpage' },
                ],
                paths: ['/a*b'],
              },
            ],
          },
        },
      });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual([
      'access.rules[0].from[0].principal',
      'access.rules[0].from[1].serviceAccount',
      'access.rules[0].paths[0]',
    ]);
    expect(writes()).toEqual(before);
  });
});

describePrometheus(
  'the preview of who a policy turns away, from a real Prometheus',
  () => {
    let sandbox: Sandbox;
    let prometheus: RunningPrometheus;
    let server: any;
    const state = async () =>
      (await request(server).get(path).set('Authorization', auth())).body;
    const plan = async (intent: unknown) =>
      (
        await request(server)
          .post(`${path}/plan`)
          .set('Authorization', auth())
          .send({ intent })
      ).body;
    const apply = async (intent: unknown, confirmDenied?: string[]) =>
      request(server)
        .post(`${path}/apply`)
        .set('Authorization', auth())
        .send({
          intent,
          revision: (await state()).revision,
          ...(confirmDenied ? { confirmDenied } : {}),
        });
    const onlyRatings = {
      split: [{ version: 'v1', weight: 100 }],
      access: { rules: [{ from: [{ serviceAccount: 'bookinfo/ratings' }] }] },
    };

    // Long enough for a few scrapes of productpage calling reviews.
    const env = useDemoWithPrometheus({ scrapedMs: 12_000 });
    beforeAll(() => ({ sandbox, prometheus, server } = env));

    it('turns nobody away when the policy admits productpage, reviews’ caller', async () => {
      const planned = await plan({
        ...onlyProductpage,
        access: {
          rules: [{ from: [{ serviceAccount: 'bookinfo/productpage' }] }],
        },
      });
      expect(planned.access).toEqual({ window: '30m', turnedAway: [] });
    });

    it('names productpage, on the primaries it calls reviews on, when the policy omits it, and applies only once productpage is named', async () => {
      // Open routing first: the change the policy is rolled back to later.
      expect(
        (await apply({ split: [{ version: 'v1', weight: 100 }] })).body,
      ).toMatchObject({ ok: true });
      const planned = await plan(onlyRatings);
      expect(planned.access.unavailable).toBeUndefined();
      expectDocumented(
        '/entities/{kind}/{namespace}/{name}/plan',
        'post',
        '200',
        planned,
      );
      const turnedAway = planned.access.turnedAway;
      expect(turnedAway.length).toBeGreaterThan(0);
      for (const t of turnedAway)
        expect(t).toEqual({
          cluster: expect.any(String),
          caller: 'bookinfo/productpage',
          principals: ['spiffe://cluster.local/ns/bookinfo/sa/productpage'],
          requestRate: expect.any(Number),
          admission: 'denied',
          reason:
            'no rule admits spiffe://cluster.local/ns/bookinfo/sa/productpage',
        });
      expect(turnedAway.every((t: any) => t.requestRate > 0)).toBe(true);

      const refused = await apply(onlyRatings);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /turns away callers seen over the last 30m: bookinfo\/productpage \(east: [\d.]+ req\/s, denied/,
      );
      const writes = () =>
        PRIMARIES.map(c =>
          sandbox.servers
            .get(c)!
            .writes.list()
            .filter(w => w.kind === 'AuthorizationPolicy'),
        );
      expect(writes()).toEqual([[], []]);
      const wrongName = await apply(onlyRatings, ['bookinfo/details']);
      expect(wrongName.status).toBe(400);
      expect(writes()).toEqual([[], []]);

      const confirmed = await apply(onlyRatings, ['bookinfo/productpage']);
      expect(confirmed.body).toMatchObject({ ok: true });
      // A change of routing only, with the same access, is not asked again.
      const again = await apply({ ...onlyRatings, timeout: '3s' }, undefined);
      expect(again.body).toMatchObject({ ok: true });
    });

    /** productpage's calls reviews answered, per cluster and code, over the last few seconds, as reviews' proxies report them. */
    const answered = async () => {
      const { result: samples } = await prometheus.query(
        'sum by (destination_cluster, response_code) (rate(istio_requests_total{reporter="destination", destination_service_name="reviews", source_canonical_service="productpage"}[4s]))',
      );
      return Object.fromEntries(
        samples
          .filter((x: any) => Number(x.value[1]) > 0)
          .map((x: any) => [
            `${x.metric.destination_cluster} ${x.metric.response_code}`,
            Number(x.value[1]),
          ]),
      );
    };
    const until = async (check: (a: Record<string, number>) => boolean) => {
      let last: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        last = await answered();
        if (check(last)) return last;
        await new Promise(r => setTimeout(r, 500));
      }
      throw new Error(`not seen: ${JSON.stringify(last)}`);
    };

    it('shows productpage answered 403 by reviews on both primaries once the policy landed, and 200 again once it is rolled back', async () => {
      const refused = await until(
        a =>
          a['east 403'] > 0 &&
          a['west 403'] > 0 &&
          !a['east 200'] &&
          !a['west 200'],
      );
      expect(Object.keys(refused).sort()).toEqual(['east 403', 'west 403']);
      // Rolling back to the open routing asks nobody to confirm anything: it turns no caller away.
      const history = (
        await request(server)
          .get(`${path}/history`)
          .set('Authorization', auth())
      ).body.items;
      const open = history.find((h: any) => h.ok && !h.intentAfter?.access);
      const back = await request(server)
        .post(`${path}/rollback`)
        .set('Authorization', auth())
        .send({ to: open.id, revision: (await state()).revision });
      expect(back.body).toMatchObject({ ok: true });
      const served = await until(
        a =>
          a['east 200'] > 0 &&
          a['west 200'] > 0 &&
          !a['east 403'] &&
          !a['west 403'],
      );
      expect(Object.keys(served).sort()).toEqual(['east 200', 'west 200']);
    }, 60_000);

    it('calls a caller a policy lets in for GET only limited, which applying needs confirmed too', async () => {
      const planned = await plan(onlyProductpage);
      expect(planned.access.turnedAway.length).toBeGreaterThan(0);
      for (const t of planned.access.turnedAway)
        expect(t).toMatchObject({
          caller: 'bookinfo/productpage',
          admission: 'limited',
          reason: 'the rules that admit it allow only some methods or paths',
        });
    });
  },
);
