import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  GraphEdge,
  ServiceGraph,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { meshApiRef } from '../../api/MeshApi';
import { meshEntity, reviewsEntity } from '../../__testUtils__/meshEntities';
import { ServiceGraphTab } from './ServiceGraphTab';

jest.setTimeout(30_000);

// jsdom lays out no SVG; the graph measures its nodes and labels with getBBox.
beforeAll(() => {
  (window.SVGElement.prototype as any).getBBox = () => ({
    x: 0,
    y: 0,
    width: 120,
    height: 36,
  });
});

const reviews: Entity = {
  ...reviewsEntity,
  relations: [
    { type: 'dependsOn', targetRef: 'component:default/ratings' },
    { type: 'dependsOn', targetRef: 'component:default/details' },
    { type: 'consumesApi', targetRef: 'api:default/stars' },
  ],
};

const edge = (
  peer: string,
  cluster: string,
  requestRate: number,
  more: Partial<GraphEdge> = {},
): GraphEdge => ({
  self: { version: 'v2', cluster },
  peer: { service: peer, namespace: 'bookinfo', version: 'v1', cluster },
  requestRate,
  errorRate: 0,
  p99Ms: 40,
  ...more,
});

/** productpage calls reviews from both primaries (undeclared), reviews calls ratings (declared). */
const graph: ServiceGraph = {
  window: '5m',
  service: 'reviews',
  namespace: 'bookinfo',
  inbound: [
    edge('productpage', 'east', 3, {
      mtls: 'mutual_tls',
      errorRate: 0.1,
      p99Ms: 120,
      principals: ['cluster.local/ns/bookinfo/sa/bookinfo-productpage'],
    }),
    edge('productpage', 'west', 1, { mtls: 'none', errorRate: 0.5 }),
  ],
  outbound: [edge('ratings', 'east', 2), edge('stars-api', 'east', 0.5)],
};

function catalogApi() {
  return {
    getEntities: jest.fn(async () => ({
      items: [
        meshEntity('productpage'),
        meshEntity('ratings'),
        meshEntity('stars', 'stars-api'),
        // Same name, another mesh: not the peer.
        {
          ...meshEntity('productpage'),
          metadata: {
            name: 'productpage',
            namespace: 'other',
            annotations: { 'mesh.meshtraffic.io/mesh': 'elsewhere' },
          },
        },
      ],
    })),
    getEntitiesByRefs: jest.fn(async () => ({
      items: [
        {
          ...meshEntity('stars'),
          kind: 'API',
          relations: [
            { type: 'apiProvidedBy', targetRef: 'component:default/stars' },
          ],
        },
      ],
    })),
  };
}

const CurrentPath = () => (
  <span data-testid="current-path">{useLocation().pathname}</span>
);

const render = (
  getServiceGraph: () => Promise<ServiceGraph>,
  catalog = catalogApi(),
) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [meshApiRef, { getServiceGraph: jest.fn(getServiceGraph) } as any],
        [catalogApiRef, catalog as any],
      ]}
    >
      <EntityProvider entity={reviews}>
        <Routes>
          <Route
            path="/*"
            element={
              <ServiceGraphTab
                entityRef={{
                  kind: 'Component',
                  namespace: 'default',
                  name: 'reviews',
                }}
                mesh="demo"
              />
            }
          />
        </Routes>
        <CurrentPath />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

const row = (name: RegExp) =>
  screen
    .getAllByRole('row')
    .find(r => name.test(r.textContent ?? '')) as HTMLElement;

describe('ServiceGraphTab', () => {
  it('sums each neighbour over clusters and versions, links it to its entity and marks what the catalog does not declare', async () => {
    const catalog = catalogApi();
    await render(async () => graph, catalog);
    await screen.findByText('Callers and callees, last 5m', undefined, {
      timeout: 10_000,
    });

    const caller = row(/calls it.*productpage/);
    expect(caller).toHaveTextContent('not declared in the catalog');
    expect(caller).toHaveTextContent('east, west');
    expect(caller).toHaveTextContent('4.00/s');
    // 0.1 of 3 and 0.5 of 1 requests: 0.8 of 4.
    expect(caller).toHaveTextContent('20.0%');
    expect(caller).toHaveTextContent('120 ms');
    expect(caller).toHaveTextContent('partly mutual TLS');
    expect(caller).toHaveTextContent(
      'cluster.local/ns/bookinfo/sa/bookinfo-productpage',
    );
    expect(within(caller).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/component/productpage',
    );
    expect(row(/called by it.*ratings/)).toHaveTextContent('declared');
    expect(row(/called by it.*ratings/)).not.toHaveTextContent('not declared');
    // Declared through the API reviews consumes, whose provider is the entity naming stars-api.
    expect(row(/called by it.*stars/)).not.toHaveTextContent('not declared');

    // details is declared but nobody called it.
    expect(
      screen.getByText(/Declared in the catalog but not seen/),
    ).toHaveTextContent('details (callee)');

    // The catalog is asked for the graph's peers, not for every entity of the mesh.
    const query = (catalog.getEntities.mock.calls[0] as any[])[0];
    expect(query.filter).toContainEqual({
      'metadata.annotations.mesh.meshtraffic.io/mesh': 'demo',
      'metadata.name': ['productpage', 'ratings', 'stars-api'],
    });
  });

  it('draws one node per neighbour, each opening its entity', async () => {
    await render(async () => graph);
    const drawing = await screen.findByLabelText(
      'Service graph drawing',
      undefined,
      { timeout: 10_000 },
    );
    await waitFor(() =>
      expect(
        within(drawing).getByRole('link', {
          name: 'Open component:default/ratings',
        }),
      ).toBeInTheDocument(),
    );
    expect(within(drawing).getByText('reviews')).toBeInTheDocument();
    expect(
      within(drawing).getByText(/4\.00\/s · 5xx 20\.0% · p99 120 ms/),
    ).toHaveTextContent('partly mutual TLS · not declared in the catalog');
    fireEvent.click(
      within(drawing).getByRole('link', {
        name: 'Open component:default/ratings',
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('current-path')).toHaveTextContent(
        '/catalog/default/component/ratings',
      ),
    );
  });

  it('says how to get the graph when the mesh names no Prometheus', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'NotFoundError', message: 'no Prometheus' },
        }),
        { status: 404, headers: { 'content-type': 'application/json' } },
      ) as any,
    );
    await render(async () => {
      throw error;
    });
    expect(
      await screen.findByText(/The mesh names no Prometheus/),
    ).toBeInTheDocument();
  });

  it('still draws the graph, without links, when the catalog cannot be read', async () => {
    const catalog = catalogApi();
    catalog.getEntities.mockRejectedValue(new Error('catalog is down'));
    await render(async () => graph, catalog);
    expect(
      await screen.findByText(/catalog is down/, undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(row(/calls it.*productpage/)).toHaveTextContent('no catalog entity');
  });
});
