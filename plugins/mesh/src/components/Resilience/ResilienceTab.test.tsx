import { renderInTestApp } from '@backstage/test-utils';
import { chooseOption } from '../../__testUtils__/chooseOption';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ResilienceTab } from './ResilienceTab';

jest.setTimeout(30_000);

const intent = { split: [{ version: 'v1', weight: 100 }] };
const field = (label: string) =>
  screen.getByLabelText(label) as HTMLInputElement;
const type = (label: string, value: string) =>
  fireEvent.change(field(label), { target: { value } });
const render = (props: Partial<Parameters<typeof ResilienceTab>[0]> = {}) => {
  const onReview = jest.fn();
  return renderInTestApp(
    <ResilienceTab
      intent={intent}
      regions={['us-east1', 'us-west1']}
      onReview={onReview}
      {...props}
    />,
  ).then(() => onReview);
};

describe('ResilienceTab', () => {
  it('sets consistent hashing by cookie, a locality distribution and failover priorities', async () => {
    const onReview = await render();
    await chooseOption(
      'Load balancing policy',
      'Consistent hash (sticky sessions)',
    );
    await chooseOption('Hash on', 'a cookie');
    type('Hash key name', 'sid');
    type('Cookie ttl', '30m');
    type('Locality distribution', 'us-east1/* -> us-east1/*=80, us-west1/*=20');
    type('Failover priority labels', 'topology.istio.io/network');
    type('Consecutive 5xx errors', '5');
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      ...intent,
      outlierDetection: { consecutive5xxErrors: 5 },
      loadBalancer: {
        consistentHash: { httpCookie: { name: 'sid', ttl: '30m' } },
      },
      locality: {
        distribute: [
          { from: 'us-east1/*', to: { 'us-east1/*': 80, 'us-west1/*': 20 } },
        ],
        failoverPriority: ['topology.istio.io/network'],
      },
    });
  });

  it('starts from the intent’s load balancer and shows the backend’s issues beside it', async () => {
    await render({
      intent: {
        ...intent,
        loadBalancer: { simple: 'LEAST_REQUEST' },
        locality: {
          distribute: [{ from: 'us-west1/*', to: { 'us-west1/*': 100 } }],
        },
      },
      issues: [
        {
          path: 'locality.distribute[0].to',
          message: 'weights must sum to 100 (they sum to 90)',
        },
      ],
    });
    expect(
      screen.getByRole('button', { name: /Load balancing policy/ }),
    ).toHaveTextContent('Least request');
    expect(field('Locality distribution').value).toBe(
      'us-west1/* -> us-west1/*=100',
    );
    expect(
      screen.getByText('weights must sum to 100 (they sum to 90)'),
    ).toBeInTheDocument();
  });

  it('sets timeout, retries with retryOn chosen from Istio’s values, circuit breaking and failover', async () => {
    const onReview = await render();
    type('Timeout', '2s');
    type('Retry attempts', '3');
    type('Per-try timeout', '500ms');
    fireEvent.mouseDown(screen.getByRole('button', { name: /Retry on/ }));
    const listbox = await screen.findByRole('listbox');
    fireEvent.click(within(listbox).getByRole('option', { name: '5xx' }));
    fireEvent.click(
      within(listbox).getByRole('option', { name: 'connect-failure' }),
    );
    // A multiple select stays open until dismissed.
    fireEvent.keyDown(listbox, { key: 'Escape' });
    await waitFor(() =>
      expect(screen.queryByRole('listbox')).not.toBeInTheDocument(),
    );
    type('Max connections', '100');
    type('Max pending requests', '10');
    type('Consecutive 5xx errors', '3');
    type('Interval', '10s');
    type('Base ejection time', '1m');
    fireEvent.click(screen.getByRole('button', { name: 'Add failover' }));
    expect(field('Failover 1 from').value).toBe('us-east1');
    expect(field('Failover 1 to').value).toBe('us-west1');
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      ...intent,
      timeout: '2s',
      retries: {
        attempts: 3,
        perTryTimeout: '500ms',
        retryOn: ['5xx', 'connect-failure'],
      },
      connectionPool: {
        tcp: { maxConnections: 100 },
        http: { http1MaxPendingRequests: 10 },
      },
      outlierDetection: {
        consecutive5xxErrors: 3,
        interval: '10s',
        baseEjectionTime: '1m',
      },
      failover: [{ from: 'us-east1', to: 'us-west1' }],
    });
  });

  it('starts from the live settings and removes the ones emptied', async () => {
    const live = {
      ...intent,
      timeout: '3s',
      retries: { attempts: 2 },
      outlierDetection: { consecutive5xxErrors: 5 },
      failover: [{ from: 'us-west1', to: 'us-east1' }],
    };
    const onReview = await render({ intent: live });
    expect(field('Timeout').value).toBe('3s');
    expect(field('Failover 1 from').value).toBe('us-west1');
    type('Timeout', '');
    type('Retry attempts', '');
    fireEvent.click(screen.getByRole('button', { name: 'Remove failover 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      ...intent,
      outlierDetection: { consecutive5xxErrors: 5 },
    });
  });

  it('puts the backend’s issues beside the fields', async () => {
    await render({
      intent: { ...intent, failover: [{ from: 'us-east1', to: 'us-west1' }] },
      issues: [
        {
          path: 'retries.perTryTimeout',
          message: 'must be at least 1ms, in whole milliseconds',
        },
        {
          path: 'failover',
          message: 'locality failover needs outlierDetection',
        },
      ],
    });
    expect(field('Per-try timeout')).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('must be at least 1ms, in whole milliseconds'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('locality failover needs outlierDetection'),
    ).toBeInTheDocument();
  });

  it('disables the controls without the update permission', async () => {
    await render({ disabledReason: 'only its owners may' });
    expect(screen.getByRole('button', { name: 'Review' })).toBeDisabled();
    expect(field('Timeout')).toBeDisabled();
  });
});
