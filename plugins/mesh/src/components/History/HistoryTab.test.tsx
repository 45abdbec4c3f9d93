import { renderInTestApp } from '@backstage/test-utils';
import { HistoryEntry } from '@meshtraffic/backstage-plugin-mesh-common';
import { screen } from '@testing-library/react';
import { HistoryTab } from './HistoryTab';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  id: 1,
  entityRef: 'component:default/reviews',
  actor: 'user:default/guest',
  action: 'apply',
  createdAt: '2026-12-07T10:00:00.000Z',
  intentAfter: { split: [{ version: 'v1', weight: 100 }] },
  ok: true,
  state: 'applied',
  clusters: [{ cluster: 'east', outcome: 'applied' }],
  ...over,
});

describe('HistoryTab', () => {
  it('says who made each change and which door it came through: an action (an agent), or automation on behalf of someone', async () => {
    await renderInTestApp(
      <HistoryTab
        entries={[
          entry({ id: 2, viaAction: 'mesh:apply-traffic-change' }),
          entry({
            id: 1,
            actor: 'plugin:mesh',
            onBehalfOf: 'user:default/alice',
          }),
        ]}
        onRollback={() => {}}
      />,
    );
    expect(
      screen.getByText('through the action mesh:apply-traffic-change'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/on behalf of user:default\/alice/),
    ).toBeInTheDocument();
  });
});
