import { renderInTestApp } from '@backstage/test-utils';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { EditorTab, EditorTabProps } from './EntityMeshContent/EditorTab';
import { RoutingApiProvider } from './routingApi';
import { reviewsEntity } from '../__testUtils__/meshEntities';

jest.setTimeout(30_000);

const workloads = [
  { cluster: 'north', version: 'v1', replicas: 1, readyReplicas: 1 },
  { cluster: 'south', version: 'v2', replicas: 1, readyReplicas: 1 },
];
const state: EntityMeshState = {
  target: {
    mesh: 'gamma',
    service: 'checkout',
    namespace: 'storefront',
    host: 'checkout.storefront.svc.cluster.local',
    entityRef: 'component:default/checkout',
    routingApi: 'gateway-api',
  },
  revision: 'rev-1',
  intent: { split: [{ version: 'v1', weight: 100 }] },
  clusters: ['north', 'south'].map(cluster => ({
    cluster,
    role: 'primary' as const,
    reachable: true,
    isConfigCluster: true,
    workloads: workloads.filter(w => w.cluster === cluster),
    routing: [],
  })),
};

/** One editing tab of the Mesh tab, on a mesh of the given routing API. */
const renderTab = (
  tab: EditorTabProps['tab'],
  routingApi: 'istio' | 'gateway-api' = 'gateway-api',
) =>
  renderInTestApp(
    <RoutingApiProvider routingApi={routingApi}>
      <EditorTab
        tab={tab}
        state={state}
        regions={[]}
        issues={[]}
        onReview={jest.fn()}
        entity={{ kind: 'component', namespace: 'default', name: 'checkout' }}
        catalogEntity={reviewsEntity}
        mesh={{
          id: 'gamma',
          kind: 'multi-primary',
          configClusters: ['north', 'south'],
          routingApi,
        }}
        onRoutingChanged={jest.fn()}
      />
    </RoutingApiProvider>,
  );

describe('the editing tabs on a mesh on Gateway API', () => {
  it('turn fault injection off, saying why', async () => {
    await renderTab('Fault injection');
    expect(
      screen.getByText(/standard channel has no fault injection/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Review fault' })).toBeDisabled();
  });

  it('offer no split by cluster and no caller-cluster routing, saying why', async () => {
    await renderTab('Traffic split');
    expect(
      screen.getByRole('radio', { name: 'By version and cluster' }),
    ).toBeDisabled();
    expect(
      screen.getByText(/cannot be narrowed to a cluster/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/not the cluster they come from/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Review' })).toBeEnabled();
  });

  it('disable retries in Resilience and keep the rest', async () => {
    await renderTab('Resilience');
    expect(screen.getByLabelText('Retry attempts')).toBeDisabled();
    expect(screen.getByLabelText('Timeout')).toBeEnabled();
    expect(
      screen.getByText(/standard channel has no retries/),
    ).toBeInTheDocument();
  });

  it('do not offer a caller-cluster match in Routes', async () => {
    await renderTab('Routes');
    fireEvent.click(screen.getByRole('button', { name: 'Add a route' }));
    fireEvent.mouseDown(
      screen.getAllByRole('button', { name: /matches on/ })[0],
    );
    const listbox = await screen.findByRole('listbox');
    const options = within(listbox).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'Header',
      'URI',
      'Method',
      'Query parameter',
    ]);
  });

  it('leave everything on for a mesh on Istio’s API', async () => {
    await renderTab('Fault injection', 'istio');
    expect(screen.getByRole('button', { name: 'Review fault' })).toBeEnabled();
  });
});
