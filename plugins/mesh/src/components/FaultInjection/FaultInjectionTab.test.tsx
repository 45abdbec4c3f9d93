import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { FaultInjectionTab } from './FaultInjectionTab';

jest.setTimeout(30_000);

const intent = { split: [{ version: 'v1', weight: 100 }] };
const field = (label: string) =>
  screen.getByLabelText(label) as HTMLInputElement;
const render = (
  props: Partial<Parameters<typeof FaultInjectionTab>[0]> = {},
) => {
  const onReview = jest.fn();
  return renderInTestApp(
    <FaultInjectionTab
      intent={intent}
      service="reviews"
      onReview={onReview}
      {...props}
    />,
  ).then(() => onReview);
};

describe('FaultInjectionTab', () => {
  it('by default scopes the fault to requests with a header, on a route of its own', async () => {
    const onReview = await render();
    fireEvent.change(field('Delay duration'), { target: { value: '2s' } });
    fireEvent.change(field('Delayed percent'), { target: { value: '50' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Abort' }));
    fireEvent.change(field('HTTP status'), { target: { value: '503' } });
    fireEvent.change(field('Aborted percent'), { target: { value: '10' } });
    fireEvent.change(field('Faulted requests: header name'), {
      target: { value: 'x-chaos' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review fault' }));
    const fault = {
      delay: { fixed: '2s', percent: 50 },
      abort: { httpStatus: 503, percent: 10 },
    };
    expect(onReview).toHaveBeenCalledWith({
      ...intent,
      routes: [
        {
          name: 'fault-injection',
          match: [{ headers: { 'x-chaos': { exact: 'on' } } }],
          split: intent.split,
          fault,
        },
      ],
    });
  });

  it('asks for confirmation before a fault on all traffic', async () => {
    const onReview = await render();
    fireEvent.click(screen.getByRole('radio', { name: 'All traffic' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review fault' }));
    expect(
      await screen.findByText('Inject the fault into all traffic?'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Every caller of reviews will be affected/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(
        screen.queryByText('Inject the fault into all traffic?'),
      ).not.toBeInTheDocument(),
    );
    expect(onReview).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Review fault' }));
    fireEvent.click(
      await screen.findByRole('button', { name: 'Affect all traffic' }),
    );
    expect(onReview).toHaveBeenCalledWith({
      ...intent,
      fault: { delay: { fixed: '5s', percent: 100 } },
    });
  });

  it('puts the backend’s issues beside the fault fields, wherever the fault sits', async () => {
    await render({
      issues: [
        {
          path: 'routes[0].fault.delay.fixed',
          message: 'must be at least 1ms, in whole milliseconds',
        },
        {
          path: 'routes[0].fault.abort.httpStatus',
          message: 'must be within 200..599',
        },
      ],
    });
    expect(field('Delay duration')).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('must be at least 1ms, in whole milliseconds'),
    ).toBeInTheDocument();
    expect(field('HTTP status')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows a live fault and removes it', async () => {
    const live = {
      ...intent,
      fault: { abort: { httpStatus: 500, percent: 100 } },
    };
    const onReview = await render({ intent: live });
    expect(
      screen.getByText('A fault is live for all traffic.'),
    ).toBeInTheDocument();
    expect(field('HTTP status').value).toBe('500');
    expect(screen.getByRole('checkbox', { name: 'Delay' })).not.toBeChecked();
    fireEvent.click(screen.getByRole('button', { name: 'Remove fault' }));
    expect(onReview).toHaveBeenCalledWith(intent);
  });

  it('disables the controls without the update permission', async () => {
    await render({ disabledReason: 'only its owners may' });
    expect(screen.getByText('only its owners may')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Review fault' })).toBeDisabled();
    expect(field('Delay duration')).toBeDisabled();
  });

  it('gives the fault an end when asked: the header route’s, or the top-level fault’s', async () => {
    const onReview = await render();
    fireEvent.change(field('Ends by itself after (optional)'), {
      target: { value: '30m' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review fault' }));
    expect(onReview).toHaveBeenCalledWith(expect.anything(), {
      routes: { 'fault-injection': { for: '30m' } },
    });
  });

  it('shows a bad end next to the field, from the plan’s issues', async () => {
    await render({
      issues: [
        {
          path: 'expires.routes.fault-injection.for',
          message: "must end within the mesh's maximum for risky changes (60m)",
        },
      ],
    });
    expect(
      screen.getByText(/must end within the mesh's maximum/),
    ).toBeInTheDocument();
  });
});
