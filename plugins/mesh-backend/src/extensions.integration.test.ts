import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  MeshAuthStrategy,
  meshAuthStrategyExtensionPoint,
  meshClusterSupplierExtensionPoint,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import request from 'supertest';
import { liveDefaultRoute } from './__testUtils__/clusterObjects';
import {
  serviceEntity,
  startMeshBackend,
  startShippedSandbox,
} from './__testUtils__/meshBackend';

const reviews = serviceEntity('reviews', 'demo', 'bookinfo');
const path = '/api/mesh/entities/component/default/reviews';
const auth = () => mockCredentials.user.header();

/** Plans and applies a split through the API, as the Mesh tab does. */
async function applySplit(server: any, weights: [number, number]) {
  const intent = {
    split: [
      { version: 'v1', weight: weights[0] },
      { version: 'v2', weight: weights[1] },
    ],
  };
  const plan = await request(server)
    .post(`${path}/plan`)
    .set('Authorization', auth())
    .send({ intent });
  expect(plan.status).toBe(200);
  return request(server)
    .post(`${path}/apply`)
    .set('Authorization', auth())
    .send({ intent, revision: plan.body.revision });
}

/** The weights of the reviews VirtualService on a cluster, read with an operator's credentials. */
async function liveWeights(sandbox: Sandbox, cluster: string) {
  return (await liveDefaultRoute(sandbox, cluster)).map(r => r.weight);
}

/** A strategy of an adopter's own (a vault, say), handing out the sandbox's tokens; counts its calls. */
function vaultStrategy(sandbox: Sandbox, lifetimeMs: number) {
  const asked: string[] = [];
  const strategy: MeshAuthStrategy = {
    async getCredential(cluster: MeshClusterDetails) {
      asked.push(cluster.name);
      const token = sandbox.clusters.find(c => c.name === cluster.name)!.token;
      return {
        type: 'bearer token',
        token,
        expiresAt: new Date(Date.now() + lifetimeMs),
      };
    },
    validateCluster: cluster =>
      cluster.authMetadata.vaultPath
        ? []
        : [
            new Error(
              'authMetadata.vaultPath is required with authProvider vault',
            ),
          ],
  };
  return { strategy, asked };
}

const vaultModule = (strategy: MeshAuthStrategy) =>
  createBackendModule({
    pluginId: 'mesh',
    moduleId: 'vault-auth',
    register(env) {
      env.registerInit({
        deps: { strategies: meshAuthStrategyExtensionPoint },
        async init({ strategies }) {
          strategies.addAuthStrategy('vault', strategy);
        },
      });
    },
  });

/** The mesh config with east authenticated by the `vault` strategy instead of its token. */
const eastThroughVault = (data: { mesh: any }) => {
  const [demo] = data.mesh.meshes;
  demo.clusters = demo.clusters.map((c: any) =>
    c.name === 'east'
      ? {
          ...c,
          authProvider: 'vault',
          serviceAccountToken: undefined,
          authMetadata: { vaultPath: 'secret/east' },
        }
      : c,
  );
  return data;
};

describe('an auth strategy added by a backend module', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('authenticates the cluster that names it, and its token is kept while valid', async () => {
    const vault = vaultStrategy(sandbox, 3600_000);
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [vaultModule(vault.strategy)],
      reconfigure: eastThroughVault,
    });
    const clusters = await request(server)
      .get('/api/mesh/clusters')
      .set('Authorization', auth());
    expect(
      clusters.body.clusters.map((c: any) => [c.name, c.reachable]),
    ).toEqual([
      ['east', true],
      ['west', true],
      ['edge', true],
    ]);
    const res = await applySplit(server, [70, 30]);
    expect(res.status).toBe(200);
    expect(await liveWeights(sandbox, 'east')).toEqual([70, 30]);
    expect(await liveWeights(sandbox, 'west')).toEqual([70, 30]);
    // Asked once for east (never for the others), then reused for every request since.
    expect(vault.asked).toEqual(['east']);
  });

  it('is asked again for every request when its token expires within the renewal margin', async () => {
    const vault = vaultStrategy(sandbox, 30_000);
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [vaultModule(vault.strategy)],
      reconfigure: eastThroughVault,
    });
    // The watch caches start with the backend and ask too; once their streams are open, each
    // request (here the version asked of each cluster) asks again.
    await new Promise(r => setTimeout(r, 1000));
    const before = vault.asked.length;
    for (let i = 0; i < 2; i++)
      await request(server)
        .get('/api/mesh/clusters')
        .set('Authorization', auth());
    expect(vault.asked.slice(before)).toEqual(['east', 'east']);
  });

  it('forgets a token the cluster refuses (401), and the next request takes a new one', async () => {
    let calls = 0;
    const rotating: MeshAuthStrategy = {
      async getCredential() {
        calls++;
        const token =
          calls === 1
            ? 'revoked'
            : sandbox.clusters.find(c => c.name === 'east')!.token;
        return {
          type: 'bearer token',
          token,
          expiresAt: new Date(Date.now() + 3600_000),
        };
      },
      validateCluster: () => [],
    };
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [vaultModule(rotating)],
      reconfigure: eastThroughVault,
    });
    const reach = async () =>
      (
        await request(server)
          .get('/api/mesh/clusters')
          .set('Authorization', auth())
      ).body.clusters[0];
    expect(await reach()).toMatchObject({
      name: 'east',
      reachable: false,
      error: expect.stringMatching(/401/),
    });
    expect(await reach()).toMatchObject({ name: 'east', reachable: true });
    expect(calls).toBe(2);
  });

  it('bounds a strategy that hangs by the request deadline: the change fails like an unreachable cluster, naming the strategy, and the others are put back', async () => {
    const vault = vaultStrategy(sandbox, 30_000);
    let hang = false;
    // The token endpoint hangs until it recovers; then its late answer is the credential.
    let recover = () => {};
    const hanging: MeshAuthStrategy = {
      getCredential: cluster =>
        hang
          ? new Promise(resolve => {
              recover = () => resolve(vault.strategy.getCredential(cluster));
            })
          : vault.strategy.getCredential(cluster),
      validateCluster: () => [],
    };
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [vaultModule(hanging)],
      reconfigure: eastThroughVault,
      requestTimeout: 1000,
    });
    expect((await applySplit(server, [70, 30])).body.ok).toBe(true);
    const intent = {
      split: [
        { version: 'v1', weight: 40 },
        { version: 'v2', weight: 60 },
      ],
    };
    const seen = await request(server)
      .post(`${path}/plan`)
      .set('Authorization', auth())
      .send({ intent });
    hang = true;
    const started = Date.now();
    const res = await request(server)
      .post(`${path}/apply`)
      .set('Authorization', auth())
      .send({ intent, revision: seen.body.revision });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(res.body.ok).toBe(false);
    const east = res.body.clusters.find((c: any) => c.cluster === 'east');
    expect(east.message).toMatch(/vault auth strategy/);
    expect(await liveWeights(sandbox, 'east')).toEqual([70, 30]);
    expect(await liveWeights(sandbox, 'west')).toEqual([70, 30]);
    // The host's lock went with the failed change: once the strategy answers, the next change goes through.
    hang = false;
    recover();
    expect((await applySplit(server, [60, 40])).body.ok).toBe(true);
    expect(await liveWeights(sandbox, 'west')).toEqual([60, 40]);
  }, 30_000);

  it('stops the backend at startup for an authProvider nobody added, or a cluster its strategy refuses', async () => {
    await expect(
      startMeshBackend({
        sandbox,
        entities: [reviews],
        reconfigure: eastThroughVault,
      }),
    ).rejects.toThrow(
      /mesh\.meshes\[0\]\.clusters\[0\]\.authProvider "vault" has no auth strategy/,
    );
    await expect(
      startMeshBackend({
        sandbox,
        entities: [reviews],
        features: [vaultModule(vaultStrategy(sandbox, 1).strategy)],
        reconfigure: data => {
          eastThroughVault(data).mesh.meshes[0].clusters[0].authMetadata = {};
          return data;
        },
      }),
    ).rejects.toThrow(
      /mesh\.meshes\[0\]\.clusters\[0\]: authMetadata\.vaultPath is required with authProvider vault/,
    );
  });
});

/** The sandbox's clusters as the Kubernetes plugin's config lists them; the mesh names them only. */
const clustersFromKubernetesConfig =
  (sandbox: Sandbox) => (data: { mesh: any }) => {
    const [demo] = data.mesh.meshes;
    const kubernetes = {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'catalog' },
        {
          type: 'config',
          clusters: sandbox.clusters
            .filter(c => c.mesh === 'demo')
            .map(c => ({
              name: c.name,
              url: c.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: c.token,
              caData: c.caData,
              skipMetricsLookup: true,
            })),
        },
      ],
    };
    demo.clusters = demo.clusters.map((c: any) => ({
      name: c.name,
      role: c.role,
      network: c.network,
      region: c.region,
      requestTimeout: c.requestTimeout,
    }));
    return { ...data, kubernetes };
  };

describe('clusters supplied by kubernetes.clusterLocatorMethods', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it('connects to the clusters the Kubernetes plugin’s config lists, and the mesh works through them', async () => {
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      reconfigure: clustersFromKubernetesConfig(sandbox),
    });
    const clusters = await request(server)
      .get('/api/mesh/clusters')
      .set('Authorization', auth());
    expect(clusters.body.clusters).toEqual([
      expect.objectContaining({
        name: 'east',
        role: 'primary',
        reachable: true,
      }),
      expect.objectContaining({
        name: 'west',
        role: 'primary',
        reachable: true,
      }),
      expect.objectContaining({
        name: 'edge',
        role: 'remote',
        reachable: true,
      }),
    ]);
    const res = await applySplit(server, [80, 20]);
    expect(res.status).toBe(200);
    expect(res.body.clusters.map((c: any) => c.outcome)).toEqual([
      'applied',
      'applied',
    ]);
    expect(await liveWeights(sandbox, 'east')).toEqual([80, 20]);
    expect(await liveWeights(sandbox, 'west')).toEqual([80, 20]);
  });

  it('names a cluster neither config nor a supplier has', async () => {
    await expect(
      startMeshBackend({
        sandbox,
        entities: [reviews],
        reconfigure: data => {
          const out = clustersFromKubernetesConfig(sandbox)(data) as any;
          out.mesh.meshes[0].clusters[2].name = 'north';
          return out;
        },
      }),
    ).rejects.toThrow(
      /mesh\.meshes\[0\]\.clusters\[2\] "north" gives no url and authProvider, and no cluster supplier has a cluster of that name \(supplied: east, west, edge\)/,
    );
  });

  it('takes clusters from a supplier a module adds', async () => {
    const supplierModule = createBackendModule({
      pluginId: 'mesh',
      moduleId: 'fleet-clusters',
      register(env) {
        env.registerInit({
          deps: { suppliers: meshClusterSupplierExtensionPoint },
          async init({ suppliers }) {
            suppliers.addClusterSupplier({
              source: 'fleet registry',
              getClusters: async () =>
                sandbox.clusters
                  .filter(c => c.mesh === 'demo')
                  .map(c => ({
                    name: c.name,
                    url: c.url,
                    authProvider: 'serviceAccount',
                    authMetadata: { serviceAccountToken: c.token },
                    caData: c.caData,
                  })),
            });
          },
        });
      },
    });
    const { server } = await startMeshBackend({
      sandbox,
      entities: [reviews],
      features: [supplierModule],
      reconfigure: data => {
        const out = clustersFromKubernetesConfig(sandbox)(data) as any;
        delete out.kubernetes;
        return out;
      },
    });
    const res = await applySplit(server, [60, 40]);
    expect(res.status).toBe(200);
    expect(await liveWeights(sandbox, 'west')).toEqual([60, 40]);
  });
});
