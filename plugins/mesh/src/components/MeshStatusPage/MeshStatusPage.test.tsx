import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { MeshStatus } from '@meshtraffic/backstage-plugin-mesh-common';
import { screen } from '@testing-library/react';
import { meshApiRef } from '../../api/MeshApi';
import { MeshStatusPage } from './MeshStatusPage';

jest.setTimeout(30_000);

const status: MeshStatus = {
  id: 'demo',
  kind: 'multi-primary',
  configClusters: ['east', 'west'],
  clusters: [
    {
      name: 'east',
      role: 'primary',
      network: 'net-east',
      region: 'us-east1',
      reachable: true,
      kubernetesVersion: 'v1.31.0',
    },
    {
      name: 'edge',
      role: 'remote',
      reachable: false,
      error: 'connection refused (ECONNREFUSED)',
    },
  ],
  controlPlanes: [
    {
      cluster: 'east',
      name: 'istiod-1-24-2',
      revision: '1-24-2',
      version: '1.24.2',
      replicas: 2,
      readyReplicas: 2,
    },
    {
      cluster: 'west',
      name: 'istiod-1-23-4',
      revision: '1-23-4',
      version: '1.23.4',
      replicas: 1,
      readyReplicas: 0,
    },
  ],
  namespaces: [
    {
      cluster: 'east',
      namespace: 'bookinfo',
      injection: '1-24-2',
      pods: 6,
      injectedPods: 5,
    },
  ],
  services: [
    {
      entityRef: 'component:default/reviews',
      host: 'reviews.bookinfo.svc.cluster.local',
      summary: 'v1 70 / v3 30',
      clusters: [
        { cluster: 'east', status: 'ours' },
        { cluster: 'west', status: 'drifted' },
      ],
      lastChange: {
        actor: 'plugin:mesh/canary-analysis',
        onBehalfOf: 'user:default/alice',
        at: '2026-11-23T23:00:00.000Z',
        state: 'applied',
      },
    },
  ],
};

describe('MeshStatusPage', () => {
  it('shows the clusters, each control plane with its version and readiness, the sidecars and the routed services', async () => {
    const api = {
      getClusters: jest.fn(async () => ({
        meshes: [
          { id: 'demo', kind: 'multi-primary', configClusters: ['east'] },
        ],
        clusters: [],
      })),
      getMeshStatus: jest.fn(async () => ({
        ...status,
        warnings: ['Mesh demo binds no namespace to owning groups'],
      })),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api as any]]}>
        <MeshStatusPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText('Control planes')).toBeInTheDocument();
    expect(api.getMeshStatus).toHaveBeenCalledWith('demo');
    expect(screen.getByText('1.24.2')).toBeInTheDocument();
    expect(screen.getByText('1.23.4')).toBeInTheDocument();
    expect(screen.getByText('0 / 1')).toBeInTheDocument();
    expect(screen.getByText('5 / 6')).toBeInTheDocument();
    expect(
      screen.getByText('connection refused (ECONNREFUSED)'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'component:default/reviews' }),
    ).toHaveAttribute('href', '/catalog/default/component/reviews/mesh');
    expect(screen.getByText('west: drifted')).toBeInTheDocument();
    expect(screen.getByText(/by user:default\/alice$/)).toBeInTheDocument();
    expect(
      screen.getByText('Mesh demo binds no namespace to owning groups'),
    ).toBeInTheDocument();
  });

  it("shows what each cluster's proxies use and how many are not ready, or why their use cannot be read", async () => {
    const render = async (more: object) => {
      const api = {
        getClusters: jest.fn(async () => ({
          meshes: [
            { id: 'demo', kind: 'multi-primary', configClusters: ['east'] },
          ],
          clusters: [],
        })),
        getMeshStatus: jest.fn(async () => ({ ...status, ...more })),
      };
      return renderInTestApp(
        <TestApiProvider apis={[[meshApiRef, api as any]]}>
          <MeshStatusPage />
        </TestApiProvider>,
      );
    };
    const { unmount } = await render({
      namespaces: [{ ...status.namespaces[0], proxiesNotReady: 2 }],
      proxyResources: [
        {
          cluster: 'east',
          proxies: 4,
          cpuCores: 0.0162,
          memoryBytes: 200 * 1024 * 1024,
        },
      ],
    });
    const table = (
      await screen.findByText(/Proxy resources \(istio-proxy containers/)
    ).closest('table, div[class*=MuiPaper]') as HTMLElement;
    expect(table.textContent).toMatch(/east4.*16\.2.*200.*50.*2/);
    unmount();
    await render({ proxyResourcesError: 'Prometheus did not answer' });
    expect(
      await screen.findByText(/cannot be read from the mesh's Prometheus/),
    ).toHaveTextContent('Prometheus did not answer');
    expect(screen.queryByText(/Proxy resources/)).not.toBeInTheDocument();
  });
});
