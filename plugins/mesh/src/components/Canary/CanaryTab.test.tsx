import { renderInTestApp } from '@backstage/test-utils';
import { TrafficIntent } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen } from '@testing-library/react';
import { CanaryTab } from './CanaryTab';

jest.setTimeout(30_000);

const versions = ['v1', 'v2', 'v3'];
const running: TrafficIntent = {
  split: [
    { version: 'v1', weight: 90 },
    { version: 'v2', weight: 10 },
  ],
  canary: { baseline: 'v1', candidate: 'v2', steps: [10, 50, 100], step: 1 },
};

const field = (label: string) =>
  screen.getByLabelText(label) as HTMLInputElement;

describe('CanaryTab', () => {
  it('starts an automatic canary with the analysis it is judged by, and puts the backend’s issues beside its fields', async () => {
    const onReview = jest.fn();
    const intent = { split: [{ version: 'v1', weight: 100 }] };
    const { rerender } = await renderInTestApp(
      <CanaryTab intent={intent} versions={versions} onReview={onReview} />,
    );
    fireEvent.change(field('Steps (percent to the candidate)'), {
      target: { value: '20, 100' },
    });
    fireEvent.click(
      screen.getByRole('checkbox', {
        name: "Advance automatically when every cluster's metrics pass",
      }),
    );
    fireEvent.change(field('Interval'), { target: { value: '30s' } });
    fireEvent.change(field('Latency at most (ms)'), {
      target: { value: '800' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Start canary' }));
    expect(onReview).toHaveBeenCalledWith({
      split: [
        { version: 'v1', weight: 80 },
        { version: 'v2', weight: 20 },
      ],
      canary: {
        baseline: 'v1',
        candidate: 'v2',
        steps: [20, 100],
        step: 1,
        auto: true,
        analysis: {
          interval: '30s',
          successRateMin: 99,
          latency: { percentile: 99, maxMs: 800 },
          minRequests: 20,
          failureLimit: 2,
        },
      },
    });
    rerender(
      <CanaryTab
        intent={intent}
        versions={versions}
        onReview={onReview}
        issues={[
          {
            path: 'canary.analysis.interval',
            message: 'must be between 5s and 24h',
          },
          { path: 'canary.auto', message: 'mesh demo names no Prometheus' },
        ]}
      />,
    );
    expect(screen.getByText('must be between 5s and 24h')).toBeInTheDocument();
    expect(
      screen.getByText('mesh demo names no Prometheus'),
    ).toBeInTheDocument();
  });

  it('starts a canary from the chosen versions and steps, with a header rule for testers', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <CanaryTab
        intent={{ split: [{ version: 'v1', weight: 100 }] }}
        versions={versions}
        onReview={onReview}
      />,
    );
    expect(field('Baseline').value).toBe('v1');
    fireEvent.change(field('Candidate'), { target: { value: 'v3' } });
    fireEvent.change(field('Steps (percent to the candidate)'), {
      target: { value: '10, 50, 100' },
    });
    fireEvent.click(screen.getByRole('radio', { name: 'Header' }));
    fireEvent.change(field('Testers: header name'), {
      target: { value: 'x-tester' },
    });
    fireEvent.change(field('Testers: value'), { target: { value: 'yes' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start canary' }));
    expect(onReview).toHaveBeenCalledWith({
      split: [
        { version: 'v1', weight: 90 },
        { version: 'v3', weight: 10 },
      ],
      canary: {
        baseline: 'v1',
        candidate: 'v3',
        steps: [10, 50, 100],
        step: 1,
      },
      routes: [
        {
          name: 'canary-testers',
          match: [{ headers: { 'x-tester': { exact: 'yes' } } }],
          split: [{ version: 'v3', weight: 100 }],
        },
      ],
    });
  });

  it('refuses steps that are not whole numbers before anything is sent', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <CanaryTab
        intent={{ split: [{ version: 'v1', weight: 100 }] }}
        versions={versions}
        onReview={onReview}
      />,
    );
    fireEvent.change(field('Steps (percent to the candidate)'), {
      target: { value: '10, half' },
    });
    expect(
      screen.getByText(/whole numbers separated by commas/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start canary' })).toBeDisabled();
  });

  it('shows the step, and advances, promotes or aborts it', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <CanaryTab intent={running} versions={versions} onReview={onReview} />,
    );
    expect(screen.getByText(/Step 1 of 3: v2 gets 10%/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Advance' }));
    expect(onReview).toHaveBeenLastCalledWith({
      ...running,
      canary: { ...running.canary, step: 2 },
      split: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 50 },
      ],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v2', weight: 100 }],
    });
    fireEvent.click(screen.getByRole('button', { name: 'Abort' }));
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('cannot advance past the last step', async () => {
    const last = {
      split: [{ version: 'v2', weight: 100 }],
      canary: { ...running.canary!, step: 3 },
    };
    await renderInTestApp(
      <CanaryTab intent={last} versions={versions} onReview={jest.fn()} />,
    );
    expect(screen.getByRole('button', { name: 'Advance' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Promote' })).toBeEnabled();
  });

  it('puts the backend’s issues beside the canary and mirror fields', async () => {
    const issues = [
      { path: 'canary.candidate', message: 'must differ from the baseline' },
      {
        path: 'mirror.percent',
        message: 'must be greater than 0 and at most 100',
      },
    ];
    await renderInTestApp(
      <CanaryTab
        intent={{
          split: [{ version: 'v1', weight: 100 }],
          mirror: { version: 'v2', percent: 0 },
        }}
        versions={versions}
        issues={issues}
        onReview={jest.fn()}
      />,
    );
    expect(field('Candidate')).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('must differ from the baseline'),
    ).toBeInTheDocument();
    expect(field('Mirrored percent')).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('must be greater than 0 and at most 100'),
    ).toBeInTheDocument();
  });

  it('mirrors a share of traffic to a version, and removes the mirror', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <CanaryTab
        intent={{ split: [{ version: 'v1', weight: 100 }] }}
        versions={versions}
        onReview={onReview}
      />,
    );
    fireEvent.change(field('Mirror to'), { target: { value: 'v2' } });
    fireEvent.change(field('Mirrored percent'), { target: { value: '25' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review mirror' }));
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v1', weight: 100 }],
      mirror: { version: 'v2', percent: 25 },
    });
    fireEvent.change(field('Ends by itself after (optional)'), {
      target: { value: '30m' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review mirror' }));
    expect(onReview).toHaveBeenLastCalledWith(
      {
        split: [{ version: 'v1', weight: 100 }],
        mirror: { version: 'v2', percent: 25 },
      },
      { mirror: { for: '30m' } },
    );
    fireEvent.change(field('Mirror to'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Review mirror' }));
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('disables every control, with the reason, without the update permission', async () => {
    await renderInTestApp(
      <CanaryTab
        intent={running}
        versions={versions}
        disabledReason="only its owners may"
        onReview={jest.fn()}
      />,
    );
    expect(screen.getByText('only its owners may')).toBeInTheDocument();
    for (const name of ['Advance', 'Promote', 'Abort', 'Review mirror'])
      expect(screen.getByRole('button', { name })).toBeDisabled();
  });
});
