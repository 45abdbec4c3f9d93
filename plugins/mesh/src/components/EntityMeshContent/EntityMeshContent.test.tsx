import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { MeshApi, meshApiRef } from '../../api/MeshApi';
import { EntityMeshContent } from './EntityMeshContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'reviews',
    annotations: { 'mesh.meshtraffic.io/mesh': 'demo', 'mesh.meshtraffic.io/namespace': 'bookinfo' },
  },
  spec: {},
};

const api: MeshApi = {
  getClusters: async () => ({
    meshes: [{ id: 'demo', kind: 'multi-primary', configClusters: ['east', 'west'] }],
    clusters: [
      { name: 'east', mesh: 'demo', role: 'primary', region: 'us-east1', reachable: true },
      { name: 'west', mesh: 'demo', role: 'primary', region: 'us-west1', reachable: false, error: 'connection failed (ECONNREFUSED)' },
      { name: 'edge', mesh: 'demo', role: 'remote', reachable: true },
      { name: 'other', mesh: 'elsewhere', role: 'primary', reachable: true },
    ],
  }),
};

const render = (e: Entity, meshApi: MeshApi = api) =>
  renderInTestApp(
    <TestApiProvider apis={[[meshApiRef, meshApi]]}>
      <EntityProvider entity={e}>
        <EntityMeshContent />
      </EntityProvider>
    </TestApiProvider>,
  );

describe('EntityMeshContent', () => {
  it("shows the service's host and its mesh's clusters with placement and reachability", async () => {
    await render(entity);
    expect(await screen.findByText('reviews.bookinfo.svc.cluster.local')).toBeInTheDocument();
    expect(screen.getByText(/routing is\s+written to east, west/)).toBeInTheDocument();
    expect(screen.getByText('edge')).toBeInTheDocument();
    expect(screen.queryByText('other')).not.toBeInTheDocument();
    expect(screen.getByText('connection failed (ECONNREFUSED)')).toBeInTheDocument();
    expect(screen.getByText('no (configured by a primary)')).toBeInTheDocument();
  });

  it('says so when the mesh is not configured', async () => {
    await render({ ...entity, metadata: { ...entity.metadata, annotations: { 'mesh.meshtraffic.io/mesh': 'nope' } } });
    expect(await screen.findByText('Mesh nope is not configured')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    await render(entity, { getClusters: async () => Promise.reject(new Error('backend down')) });
    expect(await screen.findByText('Error: backend down', { selector: 'h6' })).toBeInTheDocument();
  });
});
