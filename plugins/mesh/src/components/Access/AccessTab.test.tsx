import { Entity } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  MeshSummary,
  ServiceGraph,
  TrafficIntent,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { meshApiRef } from '../../api/MeshApi';
import { meshEntity, reviewsEntity } from '../../__testUtils__/meshEntities';
import { AccessTab } from './AccessTab';
import { candidatesOf, callerOfPrincipal } from './accessCandidates';

jest.setTimeout(30_000);

const mesh: MeshSummary = {
  id: 'demo',
  kind: 'multi-primary',
  configClusters: ['east', 'west'],
  routingApi: 'istio',
  trustDomain: 'cluster.local',
};

/** reviews: productpage calls it (seen, over mutual TLS); the catalog also declares ratings a caller. */
const reviews: Entity = {
  ...reviewsEntity,
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/productpage' },
    { type: 'dependencyOf', targetRef: 'component:default/ratings' },
  ],
};

const graph: ServiceGraph = {
  window: '30m',
  service: 'reviews',
  namespace: 'bookinfo',
  inbound: ['east', 'west'].map(cluster => ({
    self: { version: 'v1', cluster },
    peer: {
      service: 'productpage',
      namespace: 'bookinfo',
      version: 'v1',
      cluster,
    },
    requestRate: 2,
    mtls: 'mutual_tls' as const,
    principals: ['spiffe://cluster.local/ns/bookinfo/sa/productpage'],
  })),
  outbound: [],
};

function render(
  intent: TrafficIntent,
  onReview = jest.fn(),
  issues: Array<{ path: string; message: string }> = [],
) {
  const api = {
    getServiceGraph: jest.fn(async () => graph),
    getServiceAccounts: jest.fn(async (_mesh: string, workloads: any[]) => ({
      workloads: workloads.map(w => ({
        ...w,
        serviceAccounts: [`${w.namespace}/${w.service}`],
        clusters: ['west'],
      })),
      unreadable: [],
    })),
  };
  const catalog = {
    getEntitiesByRefs: jest.fn(async ({ entityRefs }: any) => ({
      items: entityRefs.map((ref: string) => meshEntity(ref.split('/').pop()!)),
    })),
  };
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [meshApiRef, api],
        [catalogApiRef, catalog],
      ]}
    >
      <AccessTab
        intent={intent}
        entity={reviews}
        entityRef={{ kind: 'component', namespace: 'default', name: 'reviews' }}
        mesh={mesh}
        service="reviews"
        onReview={onReview}
        issues={issues}
      />
    </TestApiProvider>,
  ).then(() => ({ api, catalog, onReview }));
}

describe('AccessTab', () => {
  it('offers the callers seen and the callers the catalog declares, and reviews a policy allowing the one picked', async () => {
    const { api, onReview } = await render({
      split: [{ version: 'v1', weight: 100 }],
    });
    expect(
      screen.getByText(/Every caller may call reviews now/),
    ).toBeInTheDocument();
    const table = await screen.findByRole('table', {
      name: 'Callers to pick from',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringMatching(
        /^bookinfo\/productpage4\.00yesdeclaredservice account bookinfo\/productpage/,
      ),
      expect.stringMatching(
        /^bookinfo\/ratingsnot seendeclaredservice account bookinfo\/ratings/,
      ),
    ]);
    // Declared callers' identities come from the clusters, asked for by name.
    expect(api.getServiceAccounts).toHaveBeenCalledWith('demo', [
      { namespace: 'bookinfo', service: 'productpage' },
      { namespace: 'bookinfo', service: 'ratings' },
    ]);
    fireEvent.click(
      screen.getByRole('button', { name: 'Allow bookinfo/productpage' }),
    );
    fireEvent.change(screen.getByLabelText(/Methods/), {
      target: { value: 'GET, HEAD' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      split: [{ version: 'v1', weight: 100 }],
      access: {
        rules: [
          {
            from: [{ serviceAccount: 'bookinfo/productpage' }],
            methods: ['GET', 'HEAD'],
          },
        ],
      },
    });
  });

  it('adds a caller by hand, and removes the policy in one click', async () => {
    const intent: TrafficIntent = {
      split: [{ version: 'v1', weight: 100 }],
      access: {
        rules: [{ from: [{ serviceAccount: 'bookinfo/productpage' }] }],
      },
    };
    const { onReview } = await render(intent);
    await screen.findByRole('table', { name: 'Callers to pick from' });
    expect(
      screen.getByRole('button', { name: 'Allow bookinfo/productpage' }),
    ).toBeDisabled();
    fireEvent.change(screen.getByLabelText('Caller'), {
      target: { value: 'istio-ingress' },
    });
    fireEvent.mouseDown(screen.getByLabelText('Add by hand'));
    fireEvent.click(
      await screen.findByRole('option', {
        name: 'Every workload of a namespace',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Add caller' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenLastCalledWith({
      ...intent,
      access: {
        rules: [
          {
            from: [
              { serviceAccount: 'bookinfo/productpage' },
              { namespace: 'istio-ingress' },
            ],
          },
        ],
      },
    });
    fireEvent.click(
      screen.getByRole('button', { name: 'Remove the access policy' }),
    );
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('shows the plan’s issues beside the rule and the field they name', async () => {
    await render(
      {
        split: [{ version: 'v1', weight: 100 }],
        access: {
          rules: [
            { from: [{ serviceAccount: 'productpage' }], methods: ['get'] },
          ],
        },
      },
      jest.fn(),
      [
        {
          path: 'access.rules[0].from[0].serviceAccount',
          message: 'must be namespace/name of a Kubernetes service account',
        },
        {
          path: 'access.rules[0].methods[0]',
          message: 'must be an HTTP method in capitals, e.g. GET',
        },
      ],
    );
    await waitFor(() =>
      expect(
        screen.getByText(
          'must be namespace/name of a Kubernetes service account',
        ),
      ).toBeInTheDocument(),
    );
    expect(
      screen.getByText('must be an HTTP method in capitals, e.g. GET'),
    ).toBeInTheDocument();
  });
});

describe('the callers to pick from, when part cannot be read', () => {
  it('still offers the callers seen when who the declared ones run as cannot be read, and says so', async () => {
    const api = {
      getServiceGraph: jest.fn(async () => graph),
      getServiceAccounts: jest.fn(async () => {
        throw new Error('403 Forbidden');
      }),
    };
    const catalog = {
      getEntitiesByRefs: jest.fn(async ({ entityRefs }: any) => ({
        items: entityRefs.map((ref: string) =>
          meshEntity(ref.split('/').pop()!),
        ),
      })),
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [meshApiRef, api],
          [catalogApiRef, catalog],
        ]}
      >
        <AccessTab
          intent={{ split: [{ version: 'v1', weight: 100 }] }}
          entity={reviews}
          entityRef={{
            kind: 'component',
            namespace: 'default',
            name: 'reviews',
          }}
          mesh={mesh}
          service="reviews"
          onReview={jest.fn()}
        />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        /declared callers run as cannot be read: 403 Forbidden/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Allow bookinfo/productpage' }),
    ).toBeEnabled();
  });
});

describe('the callers to pick from', () => {
  it('names a caller of this trust domain by its service account, another by its principal, and says which cannot be admitted', () => {
    expect(
      callerOfPrincipal(
        'spiffe://cluster.local/ns/shop/sa/api',
        'cluster.local',
      ),
    ).toEqual({ serviceAccount: 'shop/api' });
    expect(
      callerOfPrincipal(
        'spiffe://partner.example/ns/shop/sa/api',
        'cluster.local',
      ),
    ).toEqual({ principal: 'partner.example/ns/shop/sa/api' });
    const [plain] = candidatesOf(
      [
        {
          self: { version: 'v1', cluster: 'east' },
          peer: {
            service: 'legacy',
            namespace: 'shop',
            version: 'v1',
            cluster: 'east',
          },
          requestRate: 1,
          mtls: 'none',
        },
      ],
      [],
      'cluster.local',
    );
    expect(plain).toMatchObject({
      key: 'shop/legacy',
      mtls: 'none',
      callers: [],
      problem: expect.stringMatching(/without mutual TLS/),
    });
  });
});
