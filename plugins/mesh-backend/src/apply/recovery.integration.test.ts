import { TestDatabases } from '@backstage/backend-test-utils';
import { Sandbox } from '@meshtraffic/kube-sandbox';
import { startShippedSandbox } from '../__testUtils__/meshBackend';
import { sandboxMeshConfig } from '../testUtils';
import { meshServicesFor } from '../__testUtils__/meshServices';

const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

const target = (mesh: string, service: string) => ({
  mesh,
  namespace: 'bookinfo',
  service,
  entityRef: `component:default/${service}`,
});

describe('recovery of changes left pending', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startShippedSandbox('demo');
  }, 30_000);
  afterAll(() => sandbox?.stop());

  it.each(databases.eachSupportedId())(
    'records a row whose mesh left the config as interrupted, and still resolves every later host (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const services = await meshServicesFor(
        { ...sandboxMeshConfig(sandbox), changeLockTtlSeconds: 1 },
        knex,
      );
      const begin = (t: ReturnType<typeof target>) =>
        services.store.begin({
          entityRef: t.entityRef,
          actor: 'user:default/alice',
          action: 'apply',
          intentAfter: { split: [{ version: 'v1', weight: 100 }] },
          target: t,
          before: { east: [], west: [] },
          lockHolder: 'a replica that died',
        });
      // The retired mesh's row comes first, so its failure would stop the live host's recovery.
      const retired = await begin(target('retired', 'details'));
      const live = await begin(target('demo', 'ratings'));
      expect(await services.recovery.resolveAbandoned()).toBe(2);
      expect(
        await services.store.entry('component:default/details', retired),
      ).toMatchObject({ state: 'interrupted', clusters: [] });
      expect(
        (await services.store.entry('component:default/ratings', live))?.state,
      ).not.toBe('pending');
      expect(await services.store.pending()).toEqual([]);
    },
    30_000,
  );
});
