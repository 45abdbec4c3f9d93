import { renderInTestApp } from '@backstage/test-utils';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen } from '@testing-library/react';
import { DriftNotice } from './DriftNotice';

const applied = { split: [{ version: 'v1', weight: 100 }] };
const handEdited = {
  split: [
    { version: 'v1', weight: 70 },
    { version: 'v3', weight: 30 },
  ],
};
const vs = (status: 'ours' | 'drifted', reason?: string) => ({
  kind: 'VirtualService' as const,
  name: 'reviews',
  namespace: 'bookinfo',
  status,
  owner: 'backstage-mesh' as const,
  ...(reason ? { reason } : {}),
});
const state = (handEdit: object): EntityMeshState =>
  ({
    target: {
      mesh: 'demo',
      service: 'reviews',
      namespace: 'bookinfo',
      host: 'reviews.bookinfo.svc.cluster.local',
      entityRef: 'component:default/reviews',
      routingApi: 'istio',
    },
    revision: 'rev-1',
    lastApplied: { historyId: 3, intent: applied },
    clusters: [
      {
        cluster: 'east',
        role: 'primary',
        reachable: true,
        isConfigCluster: true,
        workloads: [],
        routing: [vs('ours')],
        intent: applied,
      },
      {
        cluster: 'west',
        role: 'primary',
        reachable: true,
        isConfigCluster: true,
        workloads: [],
        routing: [vs('drifted', 'the recorded intent hash does not match')],
        handEdit,
      },
    ],
  } as EntityMeshState);

describe('DriftNotice', () => {
  it('says which cluster was edited and what it says now, and offers re-apply or adopt through review', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <DriftNotice state={state({ intent: handEdited })} onReview={onReview} />,
    );
    expect(screen.getByText('Edited by hand on west')).toBeInTheDocument();
    expect(screen.getByText(/It now says: v1 70 \/ v3 30/)).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Re-apply the last intent' }),
    );
    expect(onReview).toHaveBeenLastCalledWith(applied);
    fireEvent.click(
      screen.getByRole('button', { name: 'Adopt the hand edit on west' }),
    );
    expect(onReview).toHaveBeenLastCalledWith(handEdited);
  });

  it('says what an intent cannot hold, and offers no adopt then', async () => {
    await renderInTestApp(
      <DriftNotice
        state={state({ cannotRepresent: 'a route uses corsPolicy' })}
        onReview={jest.fn()}
      />,
    );
    expect(
      screen.getByText(
        /An intent cannot hold all of it: a route uses corsPolicy/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Adopt the hand edit/ }),
    ).not.toBeInTheDocument();
  });
});
