import { renderInTestApp } from '@backstage/test-utils';
import { PlanResponse } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ReviewDialog } from './ReviewDialog';

jest.setTimeout(30_000);

const intent = {
  split: [{ version: 'v1', weight: 100 }],
  access: { rules: [{ from: [{ serviceAccount: 'bookinfo/ratings' }] }] },
};

const planWith = (access: any): PlanResponse => ({
  valid: true,
  revision: 'r1',
  needsAdoption: false,
  adopt: false,
  clusters: [
    {
      cluster: 'east',
      changes: [],
      dryRun: { ok: true },
      foreign: [],
      drifted: [],
      kept: [],
    },
  ],
  access,
});

async function review(access: any) {
  const apply = jest.fn(async (_request: { confirmDenied?: string[] }) => ({
    ok: true,
    historyId: 1,
    clusters: [{ cluster: 'east', outcome: 'applied' as const }],
  }));
  await renderInTestApp(
    <ReviewDialog
      intent={intent}
      plan={async () => planWith(access)}
      apply={apply}
      onIssues={jest.fn()}
      onApplied={jest.fn()}
      onReload={jest.fn()}
      onClose={jest.fn()}
    />,
  );
  await screen.findByText('Who may call');
  return apply;
}

describe('the review of a change of who may call', () => {
  it('lists the callers the policy turns away, and applies only once the person names them by ticking', async () => {
    const apply = await review({
      window: '30m',
      turnedAway: [
        {
          cluster: 'east',
          caller: 'bookinfo/productpage',
          principals: ['spiffe://cluster.local/ns/bookinfo/sa/productpage'],
          requestRate: 3.5,
          admission: 'denied',
          reason: 'no rule admits it',
        },
      ],
    });
    expect(screen.getByText('3.50')).toBeInTheDocument();
    const applyButton = screen.getByRole('button', { name: 'Apply' });
    expect(applyButton).toBeDisabled();
    fireEvent.click(screen.getByLabelText('Turn away bookinfo/productpage'));
    expect(applyButton).toBeEnabled();
    fireEvent.click(applyButton);
    await waitFor(() =>
      expect(apply).toHaveBeenCalledWith(
        expect.objectContaining({ confirmDenied: ['bookinfo/productpage'] }),
      ),
    );
  });

  it('asks to apply without seeing who it turns away when the callers cannot be read, and sends *', async () => {
    const apply = await review({
      window: '30m',
      turnedAway: [],
      unavailable: 'mesh demo names no Prometheus',
    });
    fireEvent.click(
      screen.getByLabelText('Apply without seeing who it turns away'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(apply).toHaveBeenCalledWith(
        expect.objectContaining({ confirmDenied: ['*'] }),
      ),
    );
  });

  it('asks nothing when every caller seen is let in', async () => {
    const apply = await review({ window: '30m', turnedAway: [] });
    expect(
      screen.getByText(/Every caller seen over the last 30m is let in/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(apply).toHaveBeenCalled());
    expect(apply.mock.calls[0]).not.toHaveProperty('0.confirmDenied');
  });
});
