import {
  ApiBlueprint,
  coreExtensionData,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import meshPlugin, {
  meshApi,
  meshEntityCard,
  meshEntityContent,
  meshStatusPage,
} from './alpha';
import { meshApiRef } from './api/MeshApi';
import { MeshClient } from './api/MeshClient';
import {
  demoMeshApi,
  plainEntity,
  reviewsEntity,
} from './__testUtils__/meshEntities';

jest.setTimeout(30_000);

describe('the mesh plugin for the new frontend system', () => {
  it('is the mesh plugin, with the API, the entity content, the card and the status page', () => {
    expect(meshPlugin.id).toBe('mesh');
    for (const id of [
      'api:mesh',
      'entity-content:mesh',
      'entity-card:mesh/overview',
      'page:mesh',
    ])
      expect(meshPlugin.getExtension(id as any)).toBeDefined();
  });

  it('shows the Mesh content at /mesh, only on entities with the mesh annotations', () => {
    const tester = createExtensionTester(meshEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/mesh');
    expect(tester.get(coreExtensionData.routeRef)).toBe(meshPlugin.routes.root);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Mesh');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(reviewsEntity)).toBe(true);
    expect(filter(plainEntity)).toBe(false);
  });

  it('renders the overview card from the backend’s clusters, only on annotated entities', async () => {
    const api = demoMeshApi();
    const tester = createExtensionTester(meshEntityCard, {
      apis: [[meshApiRef, api as any]],
    });
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(filter(reviewsEntity)).toBe(true);
    expect(filter(plainEntity)).toBe(false);
    renderInTestApp(
      <EntityProvider entity={reviewsEntity}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[meshApiRef, api as any]] },
    );
    expect(
      await screen.findByText('reviews.bookinfo.svc.cluster.local'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /3 clusters,\s+2 reachable; routing written to east, west/,
      ),
    ).toBeInTheDocument();
  });

  it('mounts the mesh status page at /mesh-status, in the nav as “Mesh status”', async () => {
    const api = demoMeshApi();
    const tester = createExtensionTester(meshStatusPage, {
      apis: [[meshApiRef, api as any]],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/mesh-status');
    // The plugin's route is the page's, so other plugins can link to it.
    expect(tester.get(coreExtensionData.routeRef)).toBe(
      meshPlugin.routes.meshStatus,
    );
    expect(tester.get(coreExtensionData.title)).toBe('Mesh status');
    renderInTestApp(tester.reactElement(), {
      apis: [[meshApiRef, api as any]],
    });
    expect(await screen.findByText('Control planes')).toBeInTheDocument();
    expect(api.getMeshStatus).toHaveBeenCalledWith('demo');
  });

  it('makes a MeshClient on the app’s discovery and fetch', () => {
    const factory = createExtensionTester(meshApi).get(
      ApiBlueprint.dataRefs.factory,
    );
    expect(factory.api).toBe(meshApiRef);
    const client = factory.factory({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/mesh' },
      fetchApi: { fetch: jest.fn() },
    } as any);
    expect(client).toBeInstanceOf(MeshClient);
  });
});
