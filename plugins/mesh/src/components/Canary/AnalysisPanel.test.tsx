import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { CanaryAnalysisState } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { meshApiRef } from '../../api/MeshApi';
import { AnalysisPanel } from './AnalysisPanel';

jest.setTimeout(30_000);

const entity = { kind: 'component', namespace: 'default', name: 'reviews' };
const failed = {
  id: 1,
  entityRef: 'component:default/reviews',
  createdAt: '2026-11-23T23:00:00.000Z',
  candidate: 'v2',
  step: 1,
  verdict: 'fail' as const,
  action: 'none' as const,
  failures: 1,
  reason: 'west: success rate 70.1% is below 99% (failed interval 1 of 2)',
  clusters: [
    {
      cluster: 'east',
      requests: 250,
      successRate: 100,
      latencyMs: 110,
      verdict: 'pass' as const,
      reasons: [],
    },
    {
      cluster: 'west',
      requests: 248,
      successRate: 70.1,
      latencyMs: 130,
      verdict: 'fail' as const,
      reasons: ['success rate 70.1% is below 99%'],
    },
  ],
};

describe('AnalysisPanel', () => {
  it('shows the run and each evaluation with its figures per cluster, and reloads the routing once the analysis changes it', async () => {
    const states: CanaryAnalysisState[] = [
      {
        run: {
          startedBy: 'user:default/alice',
          step: 1,
          failures: 1,
          inconclusive: 2,
          errors: 0,
          stepSince: '2026-11-23T22:59:00.000Z',
          nextEvaluationAt: '2026-11-23T23:00:30.000Z',
        },
        evaluations: [failed],
      },
      {
        evaluations: [
          {
            ...failed,
            id: 2,
            action: 'abort',
            failures: 2,
            historyId: 9,
            reason:
              'west: success rate 69% is below 99% (failed interval 2 of 2): aborted, all traffic back to v1',
          },
          failed,
        ],
      },
    ];
    const api = {
      getCanaryAnalysis: jest.fn(async () => states.shift() ?? states[0]),
    };
    const onRoutingChanged = jest.fn();
    jest.useFakeTimers({ advanceTimers: true });
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api as any]]}>
        <AnalysisPanel entity={entity} onRoutingChanged={onRoutingChanged} />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        /2 in a row too quiet to judge, 0 in a row without metrics/,
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        /Changes are made on behalf of user:default\/alice/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('west: 248 req, 70.1% ok, 130 ms'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('east: 250 req, 100% ok, 110 ms'),
    ).toBeInTheDocument();
    expect(onRoutingChanged).not.toHaveBeenCalled();
    jest.advanceTimersByTime(5_000);
    expect(
      await screen.findByText(/aborted, all traffic back to v1/),
    ).toBeInTheDocument();
    await waitFor(() => expect(onRoutingChanged).toHaveBeenCalledTimes(1));
    expect(
      screen.getByText('No automatic canary is running.'),
    ).toBeInTheDocument();
    jest.useRealTimers();
  });

  it('pages back through older evaluations on request', async () => {
    const evaluation = (id: number) => ({
      id,
      entityRef: 'component:default/reviews',
      createdAt: '2026-11-23T23:00:00.000Z',
      candidate: 'v2',
      step: 1,
      verdict: 'inconclusive' as const,
      action: 'none' as const,
      failures: 0,
      reason: `interval ${id}`,
      clusters: [],
    });
    const api = {
      getCanaryAnalysis: jest.fn(async (_e: any, page?: { before?: number }) =>
        page?.before
          ? { evaluations: [evaluation(1)] }
          : {
              evaluations: [evaluation(3), evaluation(2)],
              olderBefore: 2,
              pruned: {
                count: 40,
                pass: 30,
                fail: 2,
                inconclusive: 8,
                acted: 3,
                from: '2026-11-01T00:00:00.000Z',
                to: '2026-11-02T00:00:00.000Z',
              },
            },
      ),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api as any]]}>
        <AnalysisPanel entity={entity} onRoutingChanged={jest.fn()} />
      </TestApiProvider>,
    );
    expect(await screen.findByText('interval 2')).toBeInTheDocument();
    expect(screen.queryByText('interval 1')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Older evaluations' }));
    expect(await screen.findByText('interval 1')).toBeInTheDocument();
    expect(api.getCanaryAnalysis).toHaveBeenLastCalledWith(entity, {
      before: 2,
    });
    expect(
      screen.getByRole('button', { name: 'Older evaluations' }),
    ).toBeDisabled();
    expect(
      screen.getByText(
        /^40 earlier evaluation\(s\), .* are kept in sum only: 30 passed, 2 failed, 8 inconclusive; 3 moved the canary\.$/,
      ),
    ).toBeInTheDocument();
  });
});
