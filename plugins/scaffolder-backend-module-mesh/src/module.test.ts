import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  loadTopology,
  Sandbox,
  startSandbox,
  topologyPath,
} from '@meshtraffic/kube-sandbox';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import meshPlugin from '@meshtraffic/backstage-plugin-mesh-backend';
import {
  onBehalfOfAuthServiceFactory,
  sandboxMeshConfig,
} from '@meshtraffic/backstage-plugin-mesh-backend/testUtils';
import { scaffolderModuleMesh } from './module';

jest.setTimeout(60_000);

const examples = path.resolve(__dirname, '../../../examples');

/** The shipped demo catalog and templates, as the portal reads them. */
function demoEntities(): Entity[] {
  const docs = (file: string) =>
    fs
      .readFileSync(file, 'utf8')
      .split(/^---$/m)
      .map(d => parse(d))
      .filter(Boolean);
  const templates = fs
    .readdirSync(path.join(examples, 'templates'), { withFileTypes: true })
    .filter(d => d.isDirectory());
  return [
    ...docs(path.join(examples, 'bookinfo.yaml')),
    ...templates.flatMap(d =>
      docs(path.join(examples, 'templates', d.name, 'template.yaml')),
    ),
  ].map(e => ({ ...e, metadata: { namespace: 'default', ...e.metadata } }));
}

async function liveVirtualService(
  sandbox: Sandbox,
  cluster: string,
  name: string,
): Promise<any> {
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  kc.setCurrentContext(cluster);
  return kc
    .makeApiClient(CustomObjectsApi)
    .getNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'bookinfo',
      plural: 'virtualservices',
      name,
    })
    .catch(() => undefined);
}

const weights = (vs: any) =>
  vs?.spec.http
    .at(-1)
    .route.map((r: any) => `${r.destination.subset}=${r.weight}`)
    .join(',');

/** A failed task's log is the reason; show it in the failure. */
const expectCompleted = (task: { status: string; log: string }) =>
  expect({
    status: task.status,
    log: task.status === 'completed' ? '' : task.log,
  }).toEqual({ status: 'completed', log: '' });

describe('the shipped templates, run by the scaffolder backend against the sandbox', () => {
  let sandbox: Sandbox;
  let server: any;
  const auth = () => mockCredentials.user.header();

  beforeAll(async () => {
    sandbox = await startSandbox(loadTopology(topologyPath('demo')), {
      ephemeralPorts: true,
    });
    ({ server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleMesh,
        meshPlugin,
        onBehalfOfAuthServiceFactory,
        // The template's user belongs to bookinfo-team, which owns the demo's services.
        mockServices.userInfo.mock({
          getUserInfo: async (credentials: any) => ({
            userEntityRef: credentials.principal.userEntityRef,
            ownershipEntityRefs: [
              credentials.principal.userEntityRef,
              'group:default/bookinfo-team',
            ],
          }),
        }).factory,
        catalogServiceMock.factory({ entities: demoEntities() }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            mesh: sandboxMeshConfig(sandbox, { requestTimeout: 10_000 }),
          },
        }),
      ],
    }));
  });
  afterAll(() => sandbox?.stop());

  /** Starts a task from a template and waits for it to end. */
  async function run(template: string, values: Record<string, unknown>) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth())
      .send({ templateRef: `template:default/${template}`, values });
    expect(created.status).toBe(201);
    for (let i = 0; i < 100; i++) {
      const task = (
        await request(server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
          .set('Authorization', auth())
      ).body;
      if (['completed', 'failed', 'cancelled'].includes(task.status)) {
        const events = (
          await request(server)
            .get(`/api/scaffolder/v2/tasks/${task.id}/events`)
            .set('Authorization', auth())
        ).body;
        return {
          ...task,
          log: events
            .map((e: any) => e.body?.message)
            .filter(Boolean)
            .join('\n'),
        };
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(`task ${created.body.id} did not end`);
  }

  it('lists both actions with their input schemas', async () => {
    const res = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', auth());
    const ours = res.body.filter((a: any) => a.id.startsWith('mesh:traffic:'));
    expect(ours.map((a: any) => a.id).sort()).toEqual([
      'mesh:traffic:apply',
      'mesh:traffic:plan',
    ]);
    const apply = ours.find((a: any) => a.id === 'mesh:traffic:apply');
    expect(Object.keys(apply.schema.input.properties)).toEqual(
      expect.arrayContaining(['entityRef', 'intent', 'change', 'adopt']),
    );
    expect(apply.schema.input.properties.entityRef.description).toMatch(
      /component:default\/reviews/,
    );
  });

  it('"Shift traffic between versions" writes the split to both primaries, nothing to the remote, and history names the task', async () => {
    const task = await run('mesh-shift-traffic', {
      entity: 'component:default/reviews',
      split: [
        { version: 'v1', weight: 80 },
        { version: 'v3', weight: 20 },
      ],
    });
    expectCompleted(task);
    for (const cluster of ['east', 'west'])
      expect(
        weights(await liveVirtualService(sandbox, cluster, 'reviews')),
      ).toBe('v1=80,v3=20');
    expect(
      await liveVirtualService(sandbox, 'edge', 'reviews'),
    ).toBeUndefined();
    const history = (
      await request(server)
        .get('/api/mesh/entities/component/default/reviews/history')
        .set('Authorization', auth())
    ).body.items;
    expect(history[0]).toMatchObject({
      scaffolderTaskId: task.id,
      ok: true,
      actor: 'user:default/mock',
    });
  });

  it('"Start a canary" starts it at its first step with the tester header, on both primaries', async () => {
    const task = await run('mesh-start-canary', {
      entity: 'component:default/reviews',
      baseline: 'v1',
      candidate: 'v2',
      steps: [10, 50, 100],
      testerHeader: 'x-canary',
      testerValue: 'always',
    });
    expectCompleted(task);
    for (const cluster of ['east', 'west']) {
      const vs = await liveVirtualService(sandbox, cluster, 'reviews');
      expect(vs.spec.http[0].match).toEqual([
        { headers: { 'x-canary': { exact: 'always' } } },
      ]);
      expect(weights(vs)).toBe('v1=90,v2=10');
    }
  });

  it('"Onboard a service to the mesh" sets a first intent for a component without annotations', async () => {
    const task = await run('mesh-onboard-service', {
      entity: 'component:default/mongodb',
      mesh: 'demo',
      namespace: 'bookinfo',
      version: 'v1',
    });
    expectCompleted(task);
    for (const cluster of ['east', 'west'])
      expect(
        weights(await liveVirtualService(sandbox, cluster, 'mongodb')),
      ).toBe('v1=100');
  });

  it('fails a task whose intent is invalid, and writes nothing', async () => {
    const before = await liveVirtualService(sandbox, 'east', 'reviews');
    const task = await run('mesh-shift-traffic', {
      entity: 'component:default/reviews',
      split: [{ version: 'v9', weight: 100 }],
    });
    expect(task.status).toBe('failed');
    expect(
      (await liveVirtualService(sandbox, 'east', 'reviews')).metadata
        .resourceVersion,
    ).toBe(before.metadata.resourceVersion);
  });
});
