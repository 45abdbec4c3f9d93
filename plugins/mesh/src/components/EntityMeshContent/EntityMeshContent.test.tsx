import { Route, Routes, useLocation } from 'react-router-dom';
import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityMeshState,
  PlanResponse,
} from '@meshtraffic/backstage-plugin-mesh-common';
import {
  cleanup,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { MeshApi, meshApiRef } from '../../api/MeshApi';
import { planFor } from '@meshtraffic/backstage-plugin-mesh-common/testUtils';
import { EntityMeshContent } from './EntityMeshContent';

// jsdom renders MUI slowly on a loaded CI machine; the waits below allow for it.
jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'reviews',
    namespace: 'default',
    annotations: {
      'mesh.meshtraffic.io/mesh': 'demo',
      'mesh.meshtraffic.io/namespace': 'bookinfo',
    },
  },
  spec: {},
};

const w = (cluster: string, version: string, ready = 1) => ({
  cluster,
  version,
  replicas: 1,
  readyReplicas: ready,
});

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
  intent: { split: [{ version: 'v1', weight: 100 }] },
  clusters: [
    {
      cluster: 'east',
      role: 'primary',
      reachable: true,
      isConfigCluster: true,
      workloads: [w('east', 'v1'), w('east', 'v2', 0)],
      routing: [
        {
          kind: 'VirtualService',
          name: 'reviews',
          namespace: 'bookinfo',
          status: 'ours',
          owner: 'backstage-mesh',
        },
      ],
    },
    {
      cluster: 'west',
      role: 'primary',
      reachable: true,
      isConfigCluster: true,
      workloads: [w('west', 'v1'), w('west', 'v3')],
      routing: [
        {
          kind: 'VirtualService',
          name: 'by-hand',
          namespace: 'bookinfo',
          status: 'foreign',
          owner: 'kiali',
        },
      ],
    },
    {
      cluster: 'edge',
      role: 'remote',
      reachable: false,
      error: 'connection failed (ECONNREFUSED)',
      isConfigCluster: false,
      workloads: [],
      routing: [],
    },
  ],
};

const plan = planFor(
  ['east', 'west'],
  [
    {
      kind: 'VirtualService',
      name: 'reviews',
      action: 'update',
      diff: '-        weight: 100\n+        weight: 70',
    },
  ],
);

/** Live traffic as the backend answers it for the demo, v1 80 / v3 20 from east. */
const liveTraffic = {
  window: '1m',
  versions: [
    {
      cluster: 'east',
      version: 'v1',
      requestRate: 80.4,
      successRate: 1,
      p50Ms: 21,
      p99Ms: 118,
    },
    {
      cluster: 'west',
      version: 'v3',
      requestRate: 19.6,
      successRate: 0.92,
      p50Ms: 35,
      p99Ms: 240,
    },
  ],
  callers: [
    { cluster: 'east', version: 'v1', percent: 80.4 },
    { cluster: 'east', version: 'v3', percent: 19.6 },
  ],
  configured: [
    { version: 'v1', weight: 80 },
    { version: 'v3', weight: 20 },
  ],
  series: [
    {
      version: 'v1',
      points: [
        [1763938000, 80],
        [1763938010, 81],
      ],
    },
    {
      version: 'v3',
      points: [
        [1763938000, 20],
        [1763938010, 19],
      ],
    },
  ],
};

function mockApi(
  overrides: Partial<MeshApi> = {},
): MeshApi & { [k: string]: jest.Mock } {
  return {
    getClusters: jest.fn(async () => ({
      meshes: [
        { id: 'demo', kind: 'multi-primary', configClusters: ['east', 'west'] },
      ],
      clusters: [
        { name: 'east', mesh: 'demo', role: 'primary', reachable: true },
        { name: 'west', mesh: 'demo', role: 'primary', reachable: true },
        {
          name: 'edge',
          mesh: 'demo',
          role: 'remote',
          reachable: false,
          error: 'connection failed (ECONNREFUSED)',
        },
        { name: 'other', mesh: 'elsewhere', role: 'primary', reachable: true },
      ],
    })),
    getState: jest.fn(async () => state),
    plan: jest.fn(async () => plan),
    apply: jest.fn(async () => ({
      ok: true,
      historyId: 7,
      revision: 'rev-2',
      clusters: [
        { cluster: 'east', outcome: 'applied' },
        { cluster: 'west', outcome: 'applied' },
      ],
    })),
    getHistory: jest.fn(async () => []),
    rollback: jest.fn(),
    getMetrics: jest.fn(async () => liveTraffic),
    getCanaryAnalysis: jest.fn(async () => ({ evaluations: [] })),
    ...overrides,
  } as any;
}

/** The URL the test app is at, for tests of the tabs' own paths. */
const CurrentPath = () => (
  <span data-testid="current-path">{useLocation().pathname}</span>
);

const render = (api: MeshApi, allowed = true, e: Entity = entity, at = '/') =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [meshApiRef, api],
        [
          permissionApiRef,
          new MockPermissionApi(() =>
            allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
          ),
        ],
      ]}
    >
      <EntityProvider entity={e}>
        <Routes>
          {/* As the entity page mounts it: the Mesh tab's path and a splat for its tabs. */}
          <Route
            path="/catalog/:namespace/:kind/:name/mesh/*"
            element={<EntityMeshContent />}
          />
          <Route path="/*" element={<EntityMeshContent />} />
        </Routes>
        <CurrentPath />
      </EntityProvider>
    </TestApiProvider>,
    { routeEntries: [at] },
  );

/** Opens the Traffic split tab once the state has loaded (slow machines render jsdom slowly). */
async function openTrafficSplit() {
  fireEvent.click(
    await screen.findByRole(
      'tab',
      { name: 'Traffic split' },
      { timeout: 10_000 },
    ),
  );
  await screen.findByRole('button', { name: 'Review' }, { timeout: 10_000 });
}

const weightField = (version: string) =>
  screen.getByLabelText(`Weight of ${version} (percent)`) as HTMLInputElement;

describe('EntityMeshContent', () => {
  it('opens the tab a link names, and names the tab it opens in the URL, staying under the Mesh tab', async () => {
    await render(
      mockApi(),
      true,
      entity,
      '/catalog/default/component/reviews/mesh/history',
    );
    const tabs = await screen.findByRole('tablist', { name: 'Mesh routing' });
    expect(within(tabs).getByRole('tab', { name: 'History' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    const path = () => screen.getByTestId('current-path').textContent;
    fireEvent.click(within(tabs).getByRole('tab', { name: 'Traffic split' }));
    await waitFor(() =>
      expect(
        within(tabs).getByRole('tab', { name: 'Traffic split' }),
      ).toHaveAttribute('aria-selected', 'true'),
    );
    expect(path()).toBe('/catalog/default/component/reviews/mesh/split');
    fireEvent.click(within(tabs).getByRole('tab', { name: 'History' }));
    await waitFor(() =>
      expect(path()).toBe('/catalog/default/component/reviews/mesh/history'),
    );
    fireEvent.click(within(tabs).getByRole('tab', { name: 'Overview' }));
    await waitFor(() =>
      expect(
        within(tabs).getByRole('tab', { name: 'Overview' }),
      ).toHaveAttribute('aria-selected', 'true'),
    );
  });

  it('shows per cluster the versions with ready replicas, the routing status and reachability', async () => {
    await render(mockApi());
    expect(
      await screen.findByText('reviews.bookinfo.svc.cluster.local'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/routing is\s+written to east, west/),
    ).toBeInTheDocument();
    expect(await screen.findByText('v2 0/1')).toBeInTheDocument();
    expect(
      screen.getByText('VirtualService reviews: ours'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('VirtualService by-hand: foreign (kiali)'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Current split: v1 100%' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('other')).not.toBeInTheDocument();
  });

  it('shows live traffic per cluster and version, and the observed shares beside the configured split', async () => {
    const api = mockApi();
    await render(api);
    expect(
      await screen.findByText(
        'By cluster and version, last 1m',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('92.0%')).toBeInTheDocument();
    expect(screen.getByText('240 ms')).toBeInTheDocument();
    expect(
      screen.getByText(
        (_, el) =>
          el?.tagName === 'P' &&
          el.textContent ===
            'Calls from east: v1 80.4% (configured 80%) · v3 19.6% (configured 20%)',
      ),
    ).toBeInTheDocument();
    expect(api.getMetrics).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'reviews' },
      '1m',
    );
  });

  it('says how to get live traffic when the mesh names no Prometheus, and keeps the rest of the page', async () => {
    // A 404 as MeshApiClient throws it (ResponseError's constructor is private).
    const notFound = Object.assign(Object.create(ResponseError.prototype), {
      name: 'ResponseError',
      message: 'mesh demo names no Prometheus (mesh.meshes[].prometheus)',
      statusCode: 404,
    });
    const api = mockApi({
      getMetrics: jest.fn(async () => {
        throw notFound;
      }),
    });
    await render(api);
    expect(
      await screen.findByText(
        /The mesh names no Prometheus/,
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Workloads and routing')).toBeInTheDocument();
  });

  it('shows the YAML each cluster will get beside the diff, to copy', async () => {
    const object = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService' as const,
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { hosts: ['reviews.bookinfo.svc.cluster.local'] },
    };
    const api = mockApi({
      plan: jest.fn(async () =>
        planFor(
          ['east', 'west'],
          [
            {
              kind: 'VirtualService',
              name: 'reviews',
              action: 'update',
              diff: '',
              object,
            },
          ],
        ),
      ),
    });
    const writeText = jest.fn(async () => {});
    Object.assign(navigator, { clipboard: { writeText } });
    await render(api);
    await openTrafficSplit();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      await within(dialog).findByRole(
        'tab',
        { name: 'YAML' },
        { timeout: 10_000 },
      ),
    );
    const east = within(dialog).getByLabelText('east YAML');
    expect(east.textContent).toContain('kind: VirtualService');
    expect(east.textContent).toContain('- reviews.bookinfo.svc.cluster.local');
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Copy west YAML' }),
    );
    expect(writeText).toHaveBeenCalledWith(
      expect.stringContaining('# west: its routing objects after this change'),
    );
    expect(
      within(dialog).getByRole('button', { name: 'Download east YAML' }),
    ).toBeInTheDocument();
  });

  it('says so when the mesh is not configured', async () => {
    await render(mockApi(), true, {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: { 'mesh.meshtraffic.io/mesh': 'nope' },
      },
    });
    expect(
      await screen.findByText('Mesh nope is not configured'),
    ).toBeInTheDocument();
  });

  it('keeps the split at 100 as weights move, and splits evenly', async () => {
    await render(mockApi());
    await openTrafficSplit();
    expect(
      screen.getByRole('slider', { name: 'Weight of v1' }),
    ).toBeInTheDocument();
    fireEvent.change(weightField('v3'), { target: { value: '30' } });
    expect([
      weightField('v1').value,
      weightField('v2').value,
      weightField('v3').value,
    ]).toEqual(['70', '0', '30']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Lock v3' }));
    fireEvent.change(weightField('v2'), { target: { value: '90' } });
    expect([
      weightField('v1').value,
      weightField('v2').value,
      weightField('v3').value,
    ]).toEqual(['0', '70', '30']);
    fireEvent.click(screen.getByRole('button', { name: 'Split evenly' }));
    expect([
      weightField('v1').value,
      weightField('v2').value,
      weightField('v3').value,
    ]).toEqual(['34', '33', '33']);
  });

  it('reviews the plan per cluster with its diff, then applies and shows the outcome', async () => {
    const api = mockApi();
    await render(api);
    await openTrafficSplit();
    fireEvent.change(screen.getByLabelText('Weight of v3 (percent)'), {
      target: { value: '30' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('east: dry run passed'),
    ).toBeInTheDocument();
    expect(within(dialog).getAllByText(/\+\s+weight: 70/)).toHaveLength(2);
    expect(api.plan).toHaveBeenCalledWith(
      expect.anything(),
      {
        split: [
          { version: 'v1', weight: 70 },
          { version: 'v3', weight: 30 },
        ],
      },
      { adopt: false },
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Apply' }));
    expect(await within(dialog).findByText('Applied.')).toBeInTheDocument();
    expect(api.apply).toHaveBeenCalledWith(expect.anything(), {
      intent: {
        split: [
          { version: 'v1', weight: 70 },
          { version: 'v3', weight: 30 },
        ],
      },
      revision: 'rev-1',
      adopt: false,
    });
    expect(within(dialog).getByText('west: applied')).toBeInTheDocument();
    // Applying reloads the history, which re-renders the page: the outcome must stay, not be re-planned over.
    await waitFor(() => expect(api.getHistory).toHaveBeenCalledTimes(2));
    expect(within(dialog).getByText('Applied.')).toBeInTheDocument();
    expect(api.plan).toHaveBeenCalledTimes(1);
  });

  it('says who holds the host, and previews an adopt object by object before it can be applied', async () => {
    const foreignPlan = (adopt: boolean): PlanResponse => ({
      valid: true,
      revision: 'rev-1',
      needsAdoption: true,
      adopt,
      clusters: [
        {
          cluster: 'east',
          dryRun: { ok: true },
          drifted: [],
          foreign: [
            {
              kind: 'VirtualService',
              name: 'reviews',
              namespace: 'bookinfo',
              status: 'foreign',
              owner: 'backstage-mesh',
              ownerEntityRef: 'component:default/other',
              adoption: 'rewrite',
              reason:
                'adopting rewrites VirtualService bookinfo/reviews from the intent',
            },
            {
              kind: 'VirtualService',
              name: 'shared',
              namespace: 'bookinfo',
              status: 'foreign',
              owner: 'hand-written',
              adoption: 'keep',
              reason:
                'VirtualService bookinfo/shared also routes ratings, so adopting does not delete it',
            },
          ],
          kept: [
            {
              kind: 'VirtualService',
              name: 'shared',
              namespace: 'bookinfo',
              status: 'foreign',
              owner: 'hand-written',
              adoption: 'keep',
              reason:
                'VirtualService bookinfo/shared also routes ratings, so adopting does not delete it',
            },
          ],
          changes: [
            {
              kind: 'VirtualService',
              name: 'reviews',
              namespace: 'bookinfo',
              action: 'update',
              diff: '',
              takesOverFrom: 'component:default/other',
            },
            ...(adopt
              ? [
                  {
                    kind: 'VirtualService' as const,
                    name: 'reviews-by-hand',
                    namespace: 'bookinfo',
                    action: 'delete' as const,
                    diff: '',
                    takesOverFrom: 'hand-written',
                  },
                ]
              : []),
          ],
        },
      ],
    });
    const api = mockApi({
      getState: jest.fn(async () => ({
        ...state,
        heldBy: 'component:default/other',
        claimedBy: ['component:default/other'],
      })),
      plan: jest.fn(
        async (_ref: any, _intent: any, options?: { adopt?: boolean }) =>
          foreignPlan(Boolean(options?.adopt)),
      ),
    });
    await render(api);
    expect(
      await screen.findByText(
        /is held by component:default\/other: its objects name it/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /component:default\/other also names this host in the catalog/,
      ),
    ).toBeInTheDocument();
    cleanup();
    await render(
      mockApi({
        getState: jest.fn(async () => ({
          ...state,
          claimedBy: ['component:default/other'],
          writeBlocked:
            'reviews in bookinfo (mesh demo) is also claimed by component:default/other',
        })),
      }),
    );
    expect(
      await screen.findByText(
        /This entity may not change the routing of .*: reviews in bookinfo \(mesh demo\) is also claimed by component:default\/other/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/also names this host in the catalog/),
    ).toBeNull();
    cleanup();
    await render(api);
    await openTrafficSplit();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        'VirtualService reviews: update (taken over from component:default/other)',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        /also routes ratings, so adopting does not delete it/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    fireEvent.click(
      within(dialog).getByRole('checkbox', {
        name: /Adopt this host's routing/,
      }),
    );
    expect(
      await within(dialog).findByText(
        'VirtualService reviews-by-hand: delete (taken over from hand-written)',
      ),
    ).toBeInTheDocument();
    expect(api.plan).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.anything(),
      { adopt: true },
    );
    expect(within(dialog).getByRole('button', { name: 'Apply' })).toBeEnabled();
  });

  it('says which routing Git holds, and by which tool, once however many clusters hold it', async () => {
    const argo = {
      kind: 'VirtualService' as const,
      name: 'reviews',
      namespace: 'bookinfo',
      status: 'foreign' as const,
      owner: 'argo-cd' as const,
      adoption: 'blocked' as const,
      reason:
        'VirtualService bookinfo/reviews is managed by Argo CD application bookinfo-routing: change it in Git; the portal does not write over a GitOps tool',
    };
    await render(
      mockApi({
        getState: jest.fn(async () => ({
          ...state,
          intent: undefined,
          clusters: state.clusters.map(c => ({ ...c, routing: [argo] })),
        })),
      }),
    );
    expect(
      await screen.findByText(
        /Git holds routing of reviews.bookinfo.svc.cluster.local: VirtualService bookinfo\/reviews is managed by Argo CD application bookinfo-routing\. Change it in Git/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/VirtualService reviews: foreign \(argo-cd\)/),
    ).toHaveLength(2);
  });

  it('offers one tab per concern, each editing the same live intent through Review', async () => {
    const api = mockApi();
    await render(api);
    const tabs = await screen.findByRole('tablist', { name: 'Mesh routing' });
    expect(
      within(tabs)
        .getAllByRole('tab')
        .map(t => t.textContent),
    ).toEqual([
      'Overview',
      'Graph',
      'Traffic split',
      'Routes',
      'Canary & mirroring',
      'Fault injection',
      'Resilience',
      'Access',
      'History',
    ]);
    fireEvent.click(
      within(tabs).getByRole('tab', { name: 'Canary & mirroring' }),
    );
    fireEvent.change(
      await screen.findByLabelText('Candidate', {}, { timeout: 10_000 }),
      { target: { value: 'v3' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Start canary' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('east: dry run passed'),
    ).toBeInTheDocument();
    expect(api.plan).toHaveBeenCalledWith(
      expect.anything(),
      {
        split: [
          { version: 'v1', weight: 95 },
          { version: 'v3', weight: 5 },
        ],
        canary: {
          baseline: 'v1',
          candidate: 'v3',
          steps: [5, 25, 50, 100],
          step: 1,
        },
      },
      { adopt: false },
    );
  });

  it('puts validation errors beside the fields that caused them', async () => {
    const api = mockApi({
      plan: jest.fn(async () => ({
        valid: false as const,
        issues: [
          {
            path: 'split[0].version',
            message: 'version v1 does not run anywhere',
          },
        ],
      })),
    });
    await render(api);
    await openTrafficSplit();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findAllByText(/version v1 does not run anywhere/),
    ).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(
      screen.getByText('version v1 does not run anywhere'),
    ).toBeInTheDocument();
    expect(weightField('v1')).toHaveAttribute('aria-invalid', 'true');
  });

  it('says the routing changed since it was loaded on a 409, and offers to reload', async () => {
    const stale = Object.assign(new Error('conflict'), {
      response: { status: 409 },
      body: { error: { message: 'the routing changed' } },
    });
    const api = mockApi({ apply: jest.fn(async () => Promise.reject(stale)) });
    await render(api);
    await openTrafficSplit();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Apply' }));
    expect(
      await screen.findByText(
        /changed since you loaded it; nothing was applied/,
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Reload and re-plan' }));
    await waitFor(() => expect(api.getState).toHaveBeenCalledTimes(2));
  });

  it('disables the controls, with the reason, without the update permission', async () => {
    // Another entity: usePermission caches decisions per resource across renders (SWR).
    await render(mockApi(), false, {
      ...entity,
      metadata: { ...entity.metadata, name: 'ratings' },
    });
    await openTrafficSplit();
    expect(
      await screen.findByText(/only its owners may/, {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Review' })).toBeDisabled();
    expect(weightField('v1')).toBeDisabled();
  });

  it('shows the backend error', async () => {
    await render(
      mockApi({
        getClusters: jest.fn(async () =>
          Promise.reject(new Error('backend down')),
        ),
      }),
    );
    expect(
      await screen.findByText('Error: backend down', { selector: 'h6' }),
    ).toBeInTheDocument();
  });

  describe('a change left unfinished', () => {
    const before = { split: [{ version: 'v1', weight: 100 }] };
    const intended = {
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v3', weight: 50 },
      ],
    };
    const interrupted: EntityMeshState = {
      ...state,
      intent: undefined,
      clustersDisagree: true,
      lastApplied: { historyId: 4, intent: before },
      clusters: state.clusters.map(c => ({
        ...c,
        ...(
          { east: { intent: intended }, west: { intent: before } } as Record<
            string,
            object
          >
        )[c.cluster],
      })),
      unfinished: {
        historyId: 5,
        state: 'interrupted',
        action: 'apply',
        actor: 'user:default/alice',
        createdAt: '2026-11-23T10:00:00Z',
        intentBefore: before,
        intentAfter: intended,
        clusters: [
          { cluster: 'east', holds: 'intended' },
          { cluster: 'west', holds: 'before' },
        ],
      },
    };

    it('says which cluster holds what, and finishes through the normal review', async () => {
      const api = mockApi({ getState: jest.fn(async () => interrupted) });
      await render(api);
      const banner = await screen.findByRole('alert', {
        name: 'Unfinished change',
      });
      expect(banner).toHaveTextContent('A change was interrupted (history #5)');
      expect(banner).toHaveTextContent(
        'east holds the intended change; west holds what it held before',
      );
      fireEvent.click(within(banner).getByRole('button', { name: 'Finish' }));
      const dialog = await screen.findByRole('dialog');
      await within(dialog).findByText('east: dry run passed');
      expect(api.plan).toHaveBeenCalledWith(expect.anything(), intended, {
        adopt: false,
      });
    });

    it('undoes through the normal review, to what the clusters held before', async () => {
      const api = mockApi({ getState: jest.fn(async () => interrupted) });
      await render(api);
      const banner = await screen.findByRole('alert', {
        name: 'Unfinished change',
      });
      fireEvent.click(within(banner).getByRole('button', { name: 'Undo' }));
      await screen.findByRole('dialog');
      expect(api.plan).toHaveBeenCalledWith(expect.anything(), before, {
        adopt: false,
      });
    });

    it('undoes a change that started from nothing by removing the routing, after confirming', async () => {
      const fromNothing = {
        ...interrupted,
        unfinished: {
          ...interrupted.unfinished!,
          state: 'restore-failed' as const,
          intentBefore: undefined,
        },
      };
      const api = mockApi({
        getState: jest.fn(async () => fromNothing),
        removeRouting: jest.fn(async () => ({
          ok: true,
          historyId: 6,
          clusters: [],
        })),
      });
      await render(api);
      const banner = await screen.findByRole('alert', {
        name: 'Unfinished change',
      });
      expect(banner).toHaveTextContent(
        'A change failed and could not be put back',
      );
      fireEvent.click(
        within(banner).getByRole('button', { name: 'Undo (remove routing)' }),
      );
      fireEvent.click(
        within(await screen.findByRole('dialog')).getByRole('button', {
          name: 'Remove',
        }),
      );
      await waitFor(() =>
        expect(api.removeRouting).toHaveBeenCalledWith(
          expect.anything(),
          'rev-1',
        ),
      );
    });

    it('starts the tabs from the last intent applied everywhere when the clusters disagree', async () => {
      await render(
        mockApi({
          getState: jest.fn(async () => ({
            ...interrupted,
            unfinished: undefined,
          })),
        }),
      );
      expect(
        await screen.findByText(
          /do not hold the same routing: east: v1 50 \/ v3 50; west: v1 100/,
        ),
      ).toBeInTheDocument();
      await openTrafficSplit();
      expect([
        weightField('v1').value,
        weightField('v2').value,
        weightField('v3').value,
      ]).toEqual(['100', '0', '0']);
    });
  });
});
