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
import { Sandbox } from '@meshtraffic/kube-sandbox';
import path from 'node:path';
import request from 'supertest';
import meshPolicyModule from '../modules/meshPermissionPolicy';

const examples = path.resolve(__dirname, '../../../../examples');

/** A bearer header for a demo user. */
export const bearer = (user: string) =>
  `Bearer ${mockCredentials.user.token(user)}`;

/** Group memberships as the demo catalog's org.yaml gives them. */
const demoUserInfo = mockServices.userInfo.mock({
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

/**
 * The demo portal's backend as it decides who may do what: the real catalog (the demo's
 * entities and org), the real permission backend with the shipped mesh policy, and the mesh
 * plugin on a sandbox; `features` and `config` add what a test needs besides. Resolves once the
 * catalog has ingested the demo entities.
 */
export async function startDemoPortal(options: {
  sandbox: Sandbox;
  features?: any[];
  config?: Record<string, unknown>;
  meshExtra?: Record<string, unknown>;
}) {
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      permissionPlugin,
      meshPolicyModule,
      meshPlugin,
      permissionsServiceFactory,
      onBehalfOfAuthServiceFactory,
      demoUserInfo.factory,
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
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
            ...sandboxMeshConfig(options.sandbox, {
              requestTimeout: 10_000,
              meshExtra: options.meshExtra,
            }),
          },
        },
      }),
    ],
  });
  // The catalog ingests its locations in the background.
  for (let i = 0; i < 120; i++) {
    const res = await request(backend.server)
      .get('/api/catalog/entities/by-name/component/default/reviews')
      .set('Authorization', bearer('user:default/guest'));
    if (res.status === 200) return backend;
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error('the catalog did not ingest the demo entities');
}
