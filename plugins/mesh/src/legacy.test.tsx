import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  EntityMeshOverviewCard,
  isMeshAvailable,
  meshApiRef,
  meshPlugin,
  MeshStatusPage,
} from './index';
import { meshStatusRouteRef, rootRouteRef } from './plugin';
import {
  demoMeshApi,
  plainEntity,
  reviewsEntity,
} from './__testUtils__/meshEntities';

jest.setTimeout(30_000);

/** The legacy exports, as an app on the legacy frontend system wires them (see the README). */
describe('the legacy exports, in a legacy test app', () => {
  it('provides the mesh API factory and the routes an app binds', () => {
    expect(meshPlugin.getId()).toBe('mesh');
    expect([...meshPlugin.getApis()].map(f => f.api)).toEqual([meshApiRef]);
    expect(meshPlugin.routes).toEqual({
      root: rootRouteRef,
      meshStatus: meshStatusRouteRef,
    });
    expect(isMeshAvailable(reviewsEntity)).toBe(true);
    expect(isMeshAvailable(plainEntity)).toBe(false);
  });

  it('renders EntityMeshOverviewCard on an entity page', async () => {
    const api = demoMeshApi();
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api as any]]}>
        <EntityProvider entity={reviewsEntity}>
          <EntityMeshOverviewCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('reviews.bookinfo.svc.cluster.local'),
    ).toBeInTheDocument();
  });

  it('renders MeshStatusPage on its route', async () => {
    const api = demoMeshApi();
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api as any]]}>
        <Routes>
          <Route path="/mesh-status" element={<MeshStatusPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/mesh-status'] },
    );
    expect(await screen.findByText('Control planes')).toBeInTheDocument();
  });
});
