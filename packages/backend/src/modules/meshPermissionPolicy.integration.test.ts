import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import meshPlugin from '@meshtraffic/backstage-plugin-mesh-backend';
import {
  onBehalfOfAuthServiceFactory,
  sandboxMeshConfig,
} from '@meshtraffic/backstage-plugin-mesh-backend/testUtils';
import {
  loadTopology,
  Sandbox,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import path from 'node:path';
import request from 'supertest';
import meshPolicyModule from './meshPermissionPolicy';

jest.setTimeout(120_000);

const examples = path.resolve(__dirname, '../../../../examples');
const guest = `Bearer ${mockCredentials.user.token('user:default/guest')}`;
const viewer = `Bearer ${mockCredentials.user.token('user:default/viewer')}`;

/** Group memberships as the demo catalog's org.yaml gives them. */
const userInfo = mockServices.userInfo.mock({
  getUserInfo: async (credentials: any) => {
    const ref = credentials.principal.userEntityRef;
    const groups: Record<string, string[]> = {
      'user:default/guest': [
        'group:default/guests',
        'group:default/bookinfo-team',
      ],
      'user:default/viewer': ['group:default/guests'],
    };
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
    };
  },
});

async function everyRoutingObject(sandbox: Sandbox) {
  const out: Record<string, unknown> = {};
  for (const cluster of ['east', 'west']) {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    kc.setCurrentContext(cluster);
    const api = kc.makeApiClient(CustomObjectsApi);
    for (const plural of ['virtualservices', 'destinationrules']) {
      out[`${cluster}/${plural}`] = (
        (await api.listClusterCustomObject({
          group: 'networking.istio.io',
          version: 'v1',
          plural,
        })) as any
      ).items;
    }
  }
  return out;
}

/**
 * The portal's shipped policy, through the real permission backend and the real catalog (whose
 * ownership condition decides), not a mock that denies: owners change routing, others only read.
 */
describe('the shipped mesh permission policy', () => {
  let sandbox: Sandbox;
  let server: any;

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    ({ server } = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        meshPolicyModule,
        meshPlugin,
        permissionsServiceFactory,
        onBehalfOfAuthServiceFactory,
        userInfo.factory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Resource',
                    'Location',
                    'User',
                    'Group',
                  ],
                },
              ],
              locations: ['bookinfo.yaml', 'org.yaml'].map(f => ({
                type: 'file',
                target: path.join(examples, f),
              })),
            },
            mesh: {
              adminGroup: 'group:default/platform',
              ...sandboxMeshConfig(sandbox, { requestTimeout: 10_000 }),
            },
          },
        }),
      ],
    }));
    // The catalog ingests its locations in the background.
    for (let i = 0; i < 120; i++) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/reviews')
        .set('Authorization', guest);
      if (res.status === 200) return;
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error('the catalog did not ingest the demo entities');
  });
  afterAll(() => sandbox?.stop());

  const reviews = '/api/mesh/entities/component/default/reviews';
  const intent = {
    split: [
      { version: 'v1', weight: 50 },
      { version: 'v2', weight: 50 },
    ],
  };

  it('lets an owner (bookinfo-team) apply', async () => {
    const { revision } = (
      await request(server).get(reviews).set('Authorization', guest)
    ).body;
    const res = await request(server)
      .post(`${reviews}/apply`)
      .set('Authorization', guest)
      .send({ intent, revision });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it('lets a signed-in non-owner read, but refuses plan-with-onboarding, apply, rollback and delete with 403', async () => {
    const before = await everyRoutingObject(sandbox);
    const read = await request(server)
      .get(reviews)
      .set('Authorization', viewer);
    expect(read.status).toBe(200);
    const { revision } = read.body;
    const [entry] = (
      await request(server)
        .get(`${reviews}/history`)
        .set('Authorization', viewer)
    ).body.items;
    const attempts = [
      request(server)
        .post('/api/mesh/entities/component/default/mongodb/plan')
        .set('Authorization', viewer)
        .send({
          intent: { split: [{ version: 'v1', weight: 100 }] },
          onboarding: {
            mesh: 'demo',
            namespace: 'bookinfo',
            service: 'mongodb',
          },
        }),
      request(server)
        .post(`${reviews}/apply`)
        .set('Authorization', viewer)
        .send({
          intent: { split: [{ version: 'v3', weight: 100 }] },
          revision,
        }),
      request(server)
        .post(`${reviews}/rollback`)
        .set('Authorization', viewer)
        .send({ to: entry.id, revision }),
      request(server)
        .delete(`${reviews}/intent`)
        .query({ revision })
        .set('Authorization', viewer),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /you may not update the mesh routing of component:default\/(reviews|mongodb)/,
      );
    }
    expect(await everyRoutingObject(sandbox)).toEqual(before);
  });
});
