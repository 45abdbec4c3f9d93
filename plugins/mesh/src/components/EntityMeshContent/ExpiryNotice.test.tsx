import { renderInTestApp } from '@backstage/test-utils';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen } from '@testing-library/react';
import { EXTEND_BY_MS, ExpiryNotice } from './ExpiryNotice';

const intent = {
  split: [{ version: 'v1', weight: 100 }],
  fault: { abort: { httpStatus: 503, percent: 10 } },
};
const end = Date.now() + 14 * 60_000;
const state = {
  intent,
  expiries: [
    {
      part: 'fault',
      expiresAt: new Date(end).toISOString(),
      setBy: 'user:default/alice',
    },
  ],
} as unknown as EntityMeshState;

describe('ExpiryNotice', () => {
  it('counts down to a risky part’s end, and ends it now or extends it through a review', async () => {
    const onReview = jest.fn();
    await renderInTestApp(<ExpiryNotice state={state} onReview={onReview} />);
    expect(
      screen.getByText(
        /The fault ends by itself at .* \(in 14 min\), as user:default\/alice set it/,
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'End now' }));
    expect(onReview).toHaveBeenLastCalledWith({ split: intent.split });
    fireEvent.click(screen.getByRole('button', { name: 'Extend 30 min' }));
    expect(onReview).toHaveBeenLastCalledWith(intent, {
      fault: { at: new Date(end + EXTEND_BY_MS).toISOString() },
    });
  });

  it('is disabled for who may not change the routing', async () => {
    await renderInTestApp(
      <ExpiryNotice state={state} disabledReason="no" onReview={jest.fn()} />,
    );
    expect(screen.getByRole('button', { name: 'End now' })).toBeDisabled();
  });
});
