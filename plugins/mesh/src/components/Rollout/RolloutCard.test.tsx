import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityMeshState,
  RolloutState,
} from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { meshApiRef } from '../../api/MeshApi';
import { defaultRolloutDraft, rolloutOf } from '../ReviewDialog/RolloutChoice';
import { RolloutCard } from './RolloutCard';

jest.setTimeout(30_000);

const entity = { kind: 'component', namespace: 'default', name: 'reviews' };
const after = {
  split: [
    { version: 'v1', weight: 90 },
    { version: 'v2', weight: 10 },
  ],
};
const rollout: RolloutState = {
  id: 3,
  status: 'baking',
  startedBy: 'user:default/guest',
  createdAt: '2026-11-24T03:00:00.000Z',
  waves: [
    {
      clusters: ['east'],
      status: 'done',
      historyId: 12,
      appliedAt: '2026-11-24T03:00:00.000Z',
    },
    { clusters: ['west'], status: 'pending' },
  ],
  bakeSeconds: 60,
  nextCheckAt: '2026-11-24T03:01:00.000Z',
  intentAfter: after,
  intentBefore: { split: [{ version: 'v1', weight: 100 }] },
  evaluations: [],
};
const cluster = (name: string, intent: EntityMeshState['intent']) => ({
  cluster: name,
  role: 'primary' as const,
  reachable: true,
  isConfigCluster: true,
  workloads: [],
  routing: [],
  intent,
});
const state = (r: RolloutState): EntityMeshState => ({
  target: {
    mesh: 'demo',
    service: 'reviews',
    namespace: 'bookinfo',
    host: 'reviews.bookinfo.svc.cluster.local',
    entityRef: 'component:default/reviews',
    routingApi: 'istio',
  },
  revision: 'r',
  clusters: [
    cluster('east', after),
    cluster('west', { split: [{ version: 'v1', weight: 100 }] }),
  ],
  clustersDisagree: true,
  rollout: r,
});

describe('RolloutCard', () => {
  it('shows wave n of m, what each cluster holds, and pauses through the API', async () => {
    const rolloutAction = jest.fn(async () => ({
      ...rollout,
      status: 'paused' as const,
    }));
    const onChanged = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, { rolloutAction }]]}>
        <RolloutCard
          state={state(rollout)}
          entity={entity}
          onChanged={onChanged}
        />
      </TestApiProvider>,
    );
    const card = screen.getByRole('region', { name: 'Rollout' });
    expect(
      within(card).getByText('Rollout #3: wave 1 of 2 done, baking'),
    ).toBeInTheDocument();
    const rows = within(card).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('east');
    expect(rows[1]).toHaveTextContent('done');
    expect(rows[2]).toHaveTextContent('pending');
    expect(within(card).getByText(/v1 90 \/ v2 10/)).toBeInTheDocument();
    fireEvent.click(within(card).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(rolloutAction).toHaveBeenCalledWith(entity, 'pause');
  });

  it('offers no actions once the rollout ended, and says how', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, {}]]}>
        <RolloutCard
          state={state({
            ...rollout,
            status: 'rolled-back',
            nextCheckAt: undefined,
            reason:
              'a check failed after wave 1: v2 on east: success rate 50% is below 99%; east put back',
          })}
          entity={entity}
          onChanged={jest.fn()}
        />
      </TestApiProvider>,
    );
    expect(screen.getByText(/east put back/)).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('says which clusters a rollback still owes while it is tried again', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, {}]]}>
        <RolloutCard
          state={state({
            ...rollout,
            status: 'rolling-back',
            waves: [
              { ...rollout.waves[0], status: 'done', owed: ['east'] },
              rollout.waves[1],
            ],
            reason: `rolled back by user:default/alice; nothing put back yet; east not yet (east interrupted), tried again every 30 s for up to 30 min`,
          })}
          entity={entity}
          onChanged={jest.fn()}
        />
      </TestApiProvider>,
    );
    expect(
      screen.getByText('Rollout #3: wave 1 of 2 done, rolling back'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('done; not put back yet: east'),
    ).toBeInTheDocument();
    expect(screen.getByText(/tried again every 30 s/)).toBeInTheDocument();
  });
});

describe('the Review dialog’s rollout choice', () => {
  const clusters = ['east', 'west'];
  it('is all at once by default, one wave per cluster, or the waves typed', () => {
    const draft = defaultRolloutDraft(clusters);
    expect(rolloutOf(draft, clusters)).toBeUndefined();
    expect(rolloutOf({ ...draft, mode: 'each' }, clusters)).toEqual({
      waves: [['east'], ['west']],
      bakeSeconds: 60,
    });
    expect(
      rolloutOf(
        {
          ...draft,
          mode: 'custom',
          waves: 'east, edge ; west',
          checks: true,
          bakeSeconds: '30',
        },
        clusters,
      ),
    ).toEqual({
      waves: [['east', 'edge'], ['west']],
      bakeSeconds: 30,
      checks: { successRateMin: 99, minRequests: 10 },
    });
  });
});
