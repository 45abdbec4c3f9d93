import { ConfigReader } from '@backstage/config';
import { RoutingObject } from '@meshtraffic/backstage-plugin-mesh-common';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { allRouting } from '../__testUtils__/clusterObjects';
import {
  ADMIN_GROUP,
  serviceEntity,
  entityPath,
  split,
  startMeshBackend,
  startShippedSandbox,
  userHeader,
} from '../__testUtils__/meshBackend';
import { untilRead } from '../__testUtils__/untilWatched';
import { RoutingWriter } from '../apply/RoutingWriter';
import { readMeshConfig } from '../config/readMeshConfig';
import { ClusterRegistry } from '../kubernetes/ClusterRegistry';
import { sandboxMeshConfig } from '../testUtils';

const owner = userHeader('user:default/mock');
const ops = userHeader('user:default/ops');
const groups = { 'user:default/ops': [ADMIN_GROUP] };
const entities = ['reviews', 'ratings', 'details'].map(n =>
  serviceEntity(n, 'demo', 'bookinfo'),
);
const path = entityPath;

/** kubectl against a sandbox cluster, with a manifest on stdin, as an operator or a GitOps tool would. */
async function kubectl(
  sandbox: Sandbox,
  cluster: string,
  args: string[],
  manifest?: object,
) {
  const run = promisify(execFile)(
    '/usr/bin/kubectl',
    ['--kubeconfig', sandbox.kubeconfigPath, '--context', cluster, ...args],
    { timeout: 20_000 },
  );
  if (manifest) {
    run.child.stdin!.write(JSON.stringify(manifest));
    run.child.stdin!.end();
  }
  return (await run).stdout;
}

/** What Argo CD syncs from Git: a VirtualService for ratings, tracked by its annotation. */
const argoVirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: {
    name: 'ratings',
    namespace: 'bookinfo',
    annotations: {
      'argocd.argoproj.io/tracking-id':
        'bookinfo-routing:networking.istio.io/VirtualService:bookinfo/ratings',
    },
  },
  spec: {
    hosts: ['ratings'],
    http: [{ route: [{ destination: { host: 'ratings' } }] }],
  },
};

/** What a Flux Kustomization applies: a DestinationRule for details, with Flux's labels. */
const fluxDestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: {
    name: 'details',
    namespace: 'bookinfo',
    labels: {
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    },
  },
  spec: {
    host: 'details',
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
  },
};

describe('GitOps coexistence: routing that Argo CD or Flux manages is changed in Git, never by us', () => {
  let sandbox: Sandbox;
  let server: any;
  const state = async (name: string) =>
    (await request(server).get(path(name)).set('Authorization', owner)).body;
  const both = async () => ({
    east: await allRouting(sandbox, 'east'),
    west: await allRouting(sandbox, 'west'),
  });
  const routingOf = (body: any) =>
    body.clusters
      .filter((c: any) => c.isConfigCluster)
      .flatMap((c: any) => c.routing);

  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
    ({ server } = await startMeshBackend({ sandbox, entities, groups }));
    for (const cluster of ['east', 'west']) {
      await kubectl(
        sandbox,
        cluster,
        ['create', '-f', '-'],
        argoVirtualService,
      );
      await kubectl(
        sandbox,
        cluster,
        ['create', '-f', '-'],
        fluxDestinationRule,
      );
    }
    // reviews is ours, 80/20 on both primaries, before Argo CD starts co-managing it.
    const { revision } = await state('reviews');
    const applied = await request(server)
      .post(`${path('reviews')}/apply`)
      .set('Authorization', owner)
      .send({ intent: split(['v1', 80], ['v2', 20]), revision });
    if (!applied.body.ok)
      throw new Error(`reviews' routing did not apply: ${applied.text}`);
    // Argo CD's server-side apply takes one label of our VirtualService on each primary.
    for (const cluster of ['east', 'west'])
      await kubectl(
        sandbox,
        cluster,
        [
          'apply',
          '--server-side',
          '--field-manager=argocd-controller',
          '--validate=false',
          '-f',
          '-',
        ],
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: {
            name: 'reviews',
            namespace: 'bookinfo',
            labels: { team: 'bookinfo' },
          },
        },
      );
  });
  afterAll(() => sandbox?.stop());

  it('shows each as managed in Git, with the tool and its application, on every primary', async () => {
    const ratings = routingOf(await state('ratings'));
    expect(ratings).toHaveLength(2);
    for (const o of ratings)
      expect(o).toMatchObject({
        kind: 'VirtualService',
        status: 'foreign',
        owner: 'argo-cd',
        adoption: 'blocked',
        reason: expect.stringContaining(
          'is managed by Argo CD application bookinfo-routing: change it in Git',
        ),
      });
    for (const o of routingOf(await state('details')))
      expect(o).toMatchObject({
        kind: 'DestinationRule',
        owner: 'flux',
        adoption: 'blocked',
        reason: expect.stringContaining(
          'is managed by Flux Kustomization flux-system/apps',
        ),
      });
    const reviews = await untilRead(
      () => state('reviews'),
      s => routingOf(s).filter((o: any) => o.owner === 'argo-cd').length === 2,
    );
    const coManaged = routingOf(reviews).filter(
      (o: any) => o.kind === 'VirtualService',
    );
    expect(coManaged).toHaveLength(2);
    for (const o of coManaged)
      expect(o).toMatchObject({
        status: 'foreign',
        owner: 'argo-cd',
        adoption: 'blocked',
        reason: expect.stringContaining(
          'Argo CD co-manages fields of VirtualService bookinfo/reviews (field manager argocd-controller)',
        ),
      });
  });

  it('plans nothing over them: the plan says it is blocked and why', async () => {
    const plan = await request(server)
      .post(`${path('ratings')}/plan`)
      .set('Authorization', owner)
      .send({ intent: split(['v1', 100]) });
    expect(plan.status).toBe(200);
    expect(plan.body.blocked).toMatch(/managed by Argo CD application/);
  });

  it('refuses every write path, for owners and mesh admins alike, and leaves both primaries as they were', async () => {
    const before = await both();
    const ratings = await state('ratings');
    const details = await state('details');
    const reviews = await state('reviews');
    const [entry] = (
      await request(server)
        .get(`${path('reviews')}/history`)
        .set('Authorization', owner)
    ).body.items;
    const apply = (name: string, who: string, body: object) =>
      request(server)
        .post(`${path(name)}/apply`)
        .set('Authorization', who)
        .send(body);
    const fifty = split(['v1', 50], ['v2', 50]);
    const attempts = [
      // An owner's apply, and a mesh admin's adopt, on the Argo CD and Flux hosts.
      ...[owner, ops].flatMap(who =>
        [ratings, details].map(({ target, revision }) =>
          apply(target.service, who, {
            intent: split(['v1', 100]),
            revision,
            adopt: who === ops,
          }),
        ),
      ),
      // On the host Argo CD co-manages: apply, adopt, rollback, a rollout, and removal.
      apply('reviews', owner, { intent: fifty, revision: reviews.revision }),
      apply('reviews', ops, {
        intent: fifty,
        revision: reviews.revision,
        adopt: true,
      }),
      apply('reviews', owner, {
        intent: fifty,
        revision: reviews.revision,
        rollout: { waves: [['east'], ['west']], bakeSeconds: 60 },
      }),
      request(server)
        .post(`${path('reviews')}/rollback`)
        .set('Authorization', owner)
        .send({ to: entry.id, revision: reviews.revision }),
      request(server)
        .delete(`${path('reviews')}/intent`)
        .query({ revision: reviews.revision })
        .set('Authorization', owner),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(
        /(managed by (Argo CD|Flux)|Argo CD co-manages).*change it in Git/,
      );
    }
    expect(await both()).toEqual(before);
  });

  it('is refused by the writer itself, whatever path reaches it with a GitOps object (a restore, an abort, a race)', async () => {
    const config = readMeshConfig(
      new ConfigReader({ mesh: sandboxMeshConfig(sandbox) as any }),
    );
    const registry = new ClusterRegistry(config);
    const east = config.meshes[0].clusters.find(c => c.name === 'east')!;
    try {
      const live = (await registry
        .client(east)
        .get('VirtualService', 'bookinfo', 'ratings')) as RoutingObject;
      const before = await allRouting(sandbox, 'east');
      const changed = {
        ...live,
        spec: { ...live.spec, hosts: ['ratings', 'ratings.example'] },
      } as RoutingObject;
      const result = await new RoutingWriter(registry).write([
        { cluster: east, before: [live], write: [changed], remove: [] },
      ]);
      expect(result.ok).toBe(false);
      expect(result.clusters[0].message).toMatch(
        /VirtualService bookinfo\/ratings was not written: .*managed by Argo CD application bookinfo-routing/,
      );
      const removal = await new RoutingWriter(registry).write([
        { cluster: east, before: [live], write: [], remove: [live] },
      ]);
      expect(removal.ok).toBe(false);
      expect(await allRouting(sandbox, 'east')).toEqual(before);
    } finally {
      registry.close();
    }
  });

  it('lets a mesh that allows it adopt GitOps routing, by a mesh admin only', async () => {
    const adoptable = await startMeshBackend({
      sandbox,
      entities,
      groups,
      meshExtra: { gitOps: 'adoptable' },
    });
    const read = async () =>
      (
        await request(adoptable.server)
          .get(path('ratings'))
          .set('Authorization', ops)
      ).body;
    const { revision, clusters } = await read();
    expect(
      clusters.flatMap((c: any) => c.routing).map((o: any) => o.adoption),
    ).toEqual(['rewrite', 'rewrite']);
    const byOwner = await request(adoptable.server)
      .post(`${path('ratings')}/apply`)
      .set('Authorization', owner)
      .send({ intent: split(['v1', 100]), revision, adopt: true });
    expect(byOwner.status).toBe(403);
    const byAdmin = await request(adoptable.server)
      .post(`${path('ratings')}/apply`)
      .set('Authorization', ops)
      .send({ intent: split(['v1', 100]), revision, adopt: true });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.ok).toBe(true);
    for (const cluster of ['east', 'west']) {
      const vs = JSON.parse(
        await kubectl(sandbox, cluster, [
          '-n',
          'bookinfo',
          'get',
          'virtualservice',
          'ratings',
          '-o',
          'json',
        ]),
      );
      expect(vs.metadata.labels['app.kubernetes.io/managed-by']).toBe(
        'backstage-mesh-traffic',
      );
      // Replaced whole: Argo CD's tracking goes with the adoption.
      expect(vs.metadata.annotations).not.toHaveProperty(
        'argocd.argoproj.io/tracking-id',
      );
    }
    await adoptable.stop();
  });
});
