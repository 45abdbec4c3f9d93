import { JsonObject } from '@backstage/config';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  loadTopology,
  RunningPrometheus,
  Sandbox,
  startPrometheus,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import { meshPlugin } from '../plugin';
import { sandboxMeshConfig } from '../testUtils';

/** A shipped sandbox topology on ephemeral ports. */
export async function startShippedSandbox(name: string): Promise<Sandbox> {
  return startSandbox(loadTopology(topologyPath(name)), {
    ephemeralPorts: true,
  });
}

/** The team that owns {@link serviceEntity}'s entities unless told otherwise. */
export const SERVICE_TEAM = 'group:default/bookinfo-team';

/** A catalog entity whose annotations name a service of a mesh (`service` defaults to the entity's name). */
export function serviceEntity(
  name: string,
  mesh: string,
  namespace: string,
  owner = SERVICE_TEAM,
  service = name,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'mesh.meshtraffic.io/mesh': mesh,
        'mesh.meshtraffic.io/service': service,
        'mesh.meshtraffic.io/namespace': namespace,
      },
    },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

/** The REST path of a test service entity's routing (`component:default/<name>`). */
export const entityPath = (name: string) =>
  `/api/mesh/entities/component/default/${name}`;

/** A split intent from `[version, weight]` pairs. */
export const split = (...pairs: Array<[string, number]>) => ({
  split: pairs.map(([version, weight]) => ({ version, weight })),
});

/** The mesh admins of the test backends, as `mesh.adminGroup` names them. */
export const ADMIN_GROUP = 'group:default/platform';

/** A bearer header for a user, optionally as a service acting on the user's behalf (the scaffolder). */
export function userHeader(
  userEntityRef = 'user:default/mock',
  options: { onBehalfOf?: string } = {},
) {
  const actor = options.onBehalfOf
    ? { actor: { subject: options.onBehalfOf } }
    : undefined;
  return `Bearer ${mockCredentials.user.token(userEntityRef, actor)}`;
}

/**
 * Users' group memberships, as the user info service reports them (each user owns itself too).
 * `user:default/mock`, whom `mockCredentials.user()` signs in as, is a member of the team that owns
 * the test services, unless `groups` says otherwise: tests of what an owner does act as it.
 */
export function userInfoWithGroups(groups: Record<string, string[]>) {
  const memberships: Record<string, string[]> = {
    'user:default/mock': [SERVICE_TEAM],
    ...groups,
  };
  return mockServices.userInfo.mock({
    getUserInfo: async (credentials: any) => {
      const userEntityRef = credentials.principal.userEntityRef;
      return {
        userEntityRef,
        ownershipEntityRefs: [
          userEntityRef,
          ...(memberships[userEntityRef] ?? []),
        ],
      };
    },
  }).factory;
}

/** The mesh backend plugin in a test backend, wired to a sandbox and a mock catalog. */
export async function startMeshBackend(options: {
  sandbox: Sandbox;
  entities: Entity[];
  meshExtra?: Record<string, unknown>;
  /** Keys of `mesh:` itself, e.g. canaryCheckSeconds. */
  rootExtra?: Record<string, unknown>;
  /** Group memberships of users; `mesh.adminGroup` is {@link ADMIN_GROUP}. */
  groups?: Record<string, string[]>;
  features?: any[];
  /** Each cluster's request timeout, in milliseconds (2000 by default). */
  requestTimeout?: number;
  /** Rewrites the whole root config, e.g. to move clusters to `kubernetes.clusterLocatorMethods`. */
  reconfigure?: (data: { mesh: any }) => Record<string, unknown>;
}) {
  const data = {
    mesh: {
      adminGroup: ADMIN_GROUP,
      ...options.rootExtra,
      ...sandboxMeshConfig(options.sandbox, {
        meshExtra: options.meshExtra,
        requestTimeout: options.requestTimeout,
      }),
    },
  };
  return startTestBackend({
    features: [
      meshPlugin,
      mockServices.rootConfig.factory({
        data: (options.reconfigure?.(data) ?? data) as JsonObject,
      }),
      catalogServiceMock.factory({ entities: options.entities }),
      userInfoWithGroups(options.groups ?? {}),
      ...(options.features ?? []),
    ],
  });
}

/**
 * Faults that strand a change from nothing: west refuses the VirtualService's create, so the
 * change fails, and east refuses the deletes that would undo it, so it ends restore-failed.
 */
export function failChangeAndItsUndo(sandbox: Sandbox) {
  sandbox.faults.cluster('west').failNext({
    verb: 'create',
    resource: 'virtualservices',
    status: 500,
    count: 1,
  });
  sandbox.faults
    .cluster('east')
    .failNext({ verb: 'delete', status: 503, count: 10 });
}

/**
 * For one describe block: the shipped demo, a real Prometheus scraping it, and a backend reading
 * both for reviews; `scrapedMs` of traffic recorded before the first test.
 */
export function useDemoWithPrometheus(
  options: { scrapedMs?: number; groups?: Record<string, string[]> } = {},
) {
  const env = {} as {
    sandbox: Sandbox;
    prometheus: RunningPrometheus;
    server: any;
  };
  beforeAll(async () => {
    env.sandbox = await startShippedSandbox('demo');
    env.prometheus = await startPrometheus(env.sandbox.clusters);
    ({ server: env.server } = await startMeshBackend({
      sandbox: env.sandbox,
      entities: [serviceEntity('reviews', 'demo', 'bookinfo')],
      groups: options.groups,
      meshExtra: { prometheus: { url: env.prometheus.url } },
    }));
    if (options.scrapedMs)
      await new Promise(r => setTimeout(r, options.scrapedMs));
  }, 40_000);
  afterAll(async () => {
    await env.prometheus?.stop();
    await env.sandbox?.stop();
  });
  return env;
}
