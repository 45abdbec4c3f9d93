import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ApplyResponse,
  EntityMeshState,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshBackendClient } from '../client/MeshBackendClient';
import { planFor } from '@meshtraffic/backstage-plugin-mesh-common/testUtils';
import { createMeshTrafficApplyAction } from './apply';
import { createMeshTrafficPlanAction } from './plan';

const annotated = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'mesh.meshtraffic.io/mesh': 'demo',
      'mesh.meshtraffic.io/namespace': 'bookinfo',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/bookinfo-team',
    lifecycle: 'production',
  },
});
const ratings: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ratings',
    namespace: 'default',
    uid: 'abc',
    etag: 'x',
    annotations: {
      'backstage.io/managed-by-location': 'file:/x.yaml',
      'example.com/team': 'b',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/bookinfo-team',
    lifecycle: 'production',
  },
};

const state: EntityMeshState = {
  target: {
    mesh: 'demo',
    service: 'reviews',
    namespace: 'bookinfo',
    host: 'reviews.bookinfo.svc.cluster.local',
    entityRef: 'component:default/reviews',
    routingApi: 'istio',
  },
  revision: 'rev-1',
  intent: { split: [{ version: 'v1', weight: 100 }], timeout: '2s' },
  clusters: [],
};
const plan = planFor();
const applied: ApplyResponse = {
  ok: true,
  historyId: 9,
  revision: 'rev-2',
  clusters: [
    { cluster: 'east', outcome: 'applied' },
    { cluster: 'west', outcome: 'applied' },
  ],
};

function setup(
  overrides: Partial<Record<'getState' | 'plan' | 'apply', jest.Mock>> = {},
) {
  const client = {
    getState: jest.fn(async () => state),
    plan: jest.fn(async () => plan),
    apply: jest.fn(async () => applied),
    ...overrides,
  };
  const deps = {
    catalog: catalogServiceMock({ entities: [annotated('reviews'), ratings] }),
    client: client as unknown as MeshBackendClient,
    appBaseUrl: 'http://portal.example.com',
  };
  return {
    client,
    plan: createMeshTrafficPlanAction(deps),
    apply: createMeshTrafficApplyAction(deps),
  };
}

// createMockActionContext takes neither credentials nor the dry-run flag; they are set on what it makes.
const context = (
  input: Record<string, unknown>,
  extra: { isDryRun?: boolean } = {},
) => ({
  ...createMockActionContext({ input: input as any, task: { id: 'task-7' } }),
  getInitiatorCredentials: async () =>
    mockCredentials.user('user:default/alice'),
  ...extra,
});

describe('mesh:traffic:apply', () => {
  it('applies a partial change on top of the live intent, on behalf of the user, tagged with the task', async () => {
    const { client, apply } = setup();
    const ctx = context({
      entityRef: 'component:default/reviews',
      change: {
        split: [
          { version: 'v1', weight: 90 },
          { version: 'v2', weight: 10 },
        ],
      },
    });
    await apply.handler(ctx);
    const intent = {
      split: [
        { version: 'v1', weight: 90 },
        { version: 'v2', weight: 10 },
      ],
      timeout: '2s',
    };
    const ref = { kind: 'Component', namespace: 'default', name: 'reviews' };
    expect(client.plan).toHaveBeenCalledWith(
      mockCredentials.user('user:default/alice'),
      ref,
      { intent, onboarding: undefined },
    );
    expect(client.apply).toHaveBeenCalledWith(
      mockCredentials.user('user:default/alice'),
      ref,
      {
        intent,
        revision: 'rev-1',
        adopt: false,
        scaffolderTaskId: 'task-7',
        onboarding: undefined,
      },
    );
    expect(ctx.output).toHaveBeenCalledWith('ok', true);
    expect(ctx.output).toHaveBeenCalledWith('clusters', applied.clusters);
    expect(ctx.output).toHaveBeenCalledWith(
      'meshTabUrl',
      'http://portal.example.com/catalog/default/component/reviews/mesh',
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'summary',
      'Applied.\n- east: applied\n- west: applied',
    );
  });

  it('rolls the change out in waves when asked, and says wave 1 landed', async () => {
    const { client, apply } = setup({
      apply: jest.fn(async () => ({
        ...applied,
        clusters: [applied.clusters[0]],
        rolloutId: 4,
      })),
    });
    const rollout = { waves: [['east'], ['west']], bakeSeconds: 60 };
    const ctx = context({
      entityRef: 'component:default/reviews',
      change: { split: [{ version: 'v1', weight: 100 }] },
      rollout,
    });
    await apply.handler(ctx);
    expect(client.apply).toHaveBeenCalledWith(
      mockCredentials.user('user:default/alice'),
      expect.anything(),
      expect.objectContaining({ rollout }),
    );
    expect(ctx.output).toHaveBeenCalledWith('rolloutId', 4);
    expect(ctx.output).toHaveBeenCalledWith(
      'summary',
      'Wave 1 applied (rollout #4); the next waves follow after each bake, as the Mesh tab shows.\n- east: applied',
    );
  });

  it('passes the callers a change of access turns away, as the template confirmed them, to the backend that judges them', async () => {
    const { client, apply } = setup();
    const ctx = context({
      entityRef: 'component:default/reviews',
      intent: {
        split: [{ version: 'v1', weight: 100 }],
        access: { rules: [{ from: [{ serviceAccount: 'bookinfo/ratings' }] }] },
      },
      confirmDenied: ['bookinfo/productpage'],
    });
    await apply.handler(ctx);
    expect(client.apply).toHaveBeenCalledWith(
      mockCredentials.user('user:default/alice'),
      expect.anything(),
      expect.objectContaining({ confirmDenied: ['bookinfo/productpage'] }),
    );
  });

  it('only plans in the scaffolder dry-run mode', async () => {
    const { client, apply } = setup();
    const ctx = context(
      {
        entityRef: 'component:default/reviews',
        change: {
          canary: {
            action: 'start',
            baseline: 'v1',
            candidate: 'v2',
            steps: [5, 100],
          },
        },
      },
      { isDryRun: true },
    );
    await apply.handler(ctx);
    expect(client.plan).toHaveBeenCalled();
    expect(client.apply).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith(
      'summary',
      '- east: dry run passed\n  - VirtualService reviews: update\n- west: dry run passed\n  - VirtualService reviews: update',
    );
  });

  it('refuses an invalid change with every path before asking the backend anything', async () => {
    const { client, apply } = setup();
    const ctx = context({
      entityRef: 'component:default/reviews',
      change: {
        split: [{ version: 'v1', weight: 101 }],
        mirror: { version: 'v2' },
      },
    });
    await expect(apply.handler(ctx)).rejects.toThrow(
      /change.split\[0\].weight: .*; change.mirror.percent: is required/,
    );
    expect(client.getState).not.toHaveBeenCalled();
    expect(client.plan).not.toHaveBeenCalled();
  });

  it('refuses an intent the backend finds invalid, naming the paths, and applies nothing', async () => {
    const { client, apply } = setup({
      plan: jest.fn(async () => ({
        valid: false,
        issues: [
          {
            path: 'split',
            message: 'weights must sum to 100 (they sum to 90)',
          },
        ],
      })),
    });
    await expect(
      apply.handler(
        context({
          entityRef: 'component:default/reviews',
          intent: { split: [{ version: 'v1', weight: 90 }] },
        }),
      ),
    ).rejects.toThrow(
      'The intent is invalid: split: weights must sum to 100 (they sum to 90)',
    );
    expect(client.apply).not.toHaveBeenCalled();
  });

  it('refuses foreign routing unless adopt is set', async () => {
    const { client, apply } = setup({
      plan: jest.fn(async () => ({ ...plan, needsAdoption: true })),
    });
    await expect(
      apply.handler(
        context({
          entityRef: 'component:default/reviews',
          intent: state.intent,
        }),
      ),
    ).rejects.toThrow(/set adopt: true/);
    expect(client.apply).not.toHaveBeenCalled();
    await apply.handler(
      context({
        entityRef: 'component:default/reviews',
        intent: state.intent,
        adopt: true,
      }),
    );
    expect(client.apply).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.objectContaining({ adopt: true }),
    );
  });

  it('fails the step, after reporting each cluster, when the clusters were put back', async () => {
    const restored: ApplyResponse = {
      ok: false,
      historyId: 10,
      revision: 'rev-1',
      clusters: [
        { cluster: 'east', outcome: 'restored' },
        { cluster: 'west', outcome: 'failed', message: 'boom' },
      ],
    };
    const { apply } = setup({ apply: jest.fn(async () => restored) });
    const ctx = context({
      entityRef: 'component:default/reviews',
      intent: state.intent,
    });
    await expect(apply.handler(ctx)).rejects.toThrow(
      /Not applied; .*\n- east: restored\n- west: failed \(boom\)/,
    );
    expect(ctx.output).toHaveBeenCalledWith('ok', false);
  });

  it('finds the entity by mesh, namespace and service', async () => {
    const { client, apply } = setup();
    await apply.handler(
      context({
        mesh: 'demo',
        namespace: 'bookinfo',
        service: 'reviews',
        change: { mirror: { version: 'v2', percent: 5 } },
      }),
    );
    expect(client.getState).toHaveBeenCalledWith(expect.anything(), {
      kind: 'Component',
      namespace: 'default',
      name: 'reviews',
    });
    await expect(
      apply.handler(
        context({
          mesh: 'demo',
          namespace: 'bookinfo',
          service: 'nope',
          intent: state.intent,
        }),
      ),
    ).rejects.toThrow(
      'no catalog entity is annotated for nope in bookinfo of mesh demo',
    );
  });

  it('says a canary step needs a running canary', async () => {
    const { apply } = setup();
    await expect(
      apply.handler(
        context({
          entityRef: 'component:default/reviews',
          change: { canary: { action: 'advance' } },
        }),
      ),
    ).rejects.toThrow('change: there is no canary to advance');
  });

  it('onboards an entity without annotations: a whole intent, and its catalog-info.yaml with the annotations', async () => {
    const { client, apply } = setup();
    const ctx = context({
      entityRef: 'component:default/ratings',
      mesh: 'demo',
      namespace: 'bookinfo',
      intent: { split: [{ version: 'v1', weight: 100 }] },
    });
    await apply.handler(ctx);
    const onboarding = {
      mesh: 'demo',
      namespace: 'bookinfo',
      service: 'ratings',
    };
    expect(client.apply).toHaveBeenCalledWith(
      expect.anything(),
      { kind: 'Component', namespace: 'default', name: 'ratings' },
      expect.objectContaining({ onboarding }),
    );
    expect(ctx.output).toHaveBeenCalledWith('catalogInfo', {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'ratings',
        namespace: 'default',
        annotations: {
          'example.com/team': 'b',
          'mesh.meshtraffic.io/mesh': 'demo',
          'mesh.meshtraffic.io/namespace': 'bookinfo',
          'mesh.meshtraffic.io/service': 'ratings',
        },
      },
      spec: ratings.spec,
    });
    await expect(
      apply.handler(
        context({
          entityRef: 'component:default/ratings',
          mesh: 'demo',
          namespace: 'bookinfo',
          change: { mirror: null },
        }),
      ),
    ).rejects.toThrow('an entity being onboarded has no intent to change');
  });

  it('asks for exactly one of intent and change', async () => {
    const { apply } = setup();
    await expect(
      apply.handler(context({ entityRef: 'component:default/reviews' })),
    ).rejects.toThrow('give either intent');
  });
});

describe('mesh:traffic:plan', () => {
  it('plans and reports per cluster without applying', async () => {
    const { client, plan: planAction } = setup();
    const ctx = context({
      entityRef: 'component:default/reviews',
      change: { mirror: { version: 'v2', percent: 10 } },
    });
    await planAction.handler(ctx);
    expect(client.apply).not.toHaveBeenCalled();
    expect(ctx.output).toHaveBeenCalledWith('plan', [
      {
        cluster: 'east',
        dryRun: 'passed',
        changes: [
          { kind: 'VirtualService', name: 'reviews', action: 'update' },
        ],
      },
      {
        cluster: 'west',
        dryRun: 'passed',
        changes: [
          { kind: 'VirtualService', name: 'reviews', action: 'update' },
        ],
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('revision', 'rev-1');
  });
});

describe('template forms', () => {
  it('treat empty optional fields as not given, and a testers rule without a name as none', async () => {
    const { client, apply } = setup();
    await apply.handler(
      context({
        entityRef: 'component:default/reviews',
        mesh: '',
        service: '',
        change: {
          canary: {
            action: 'start',
            baseline: 'v1',
            candidate: 'v2',
            steps: [10, 100],
            testers: { header: '', value: 'always' },
          },
        },
      }),
    );
    expect(client.apply).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.objectContaining({
        intent: expect.not.objectContaining({ routes: expect.anything() }),
      }),
    );
  });
});
