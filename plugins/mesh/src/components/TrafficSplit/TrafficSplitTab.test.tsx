import { renderInTestApp } from '@backstage/test-utils';
import { EntityMeshState } from '@meshtraffic/backstage-plugin-mesh-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { TrafficSplitTab } from './TrafficSplitTab';

jest.setTimeout(30_000);

const w = (cluster: string, version: string) => ({
  cluster,
  version,
  replicas: 1,
  readyReplicas: 1,
});
const cluster = (name: string, workloads: ReturnType<typeof w>[]) => ({
  cluster: name,
  role: 'primary' as const,
  reachable: true,
  isConfigCluster: true,
  workloads,
  routing: [],
});
const stateWith = (intent: EntityMeshState['intent']): EntityMeshState => ({
  target: {
    mesh: 'demo',
    service: 'reviews',
    namespace: 'bookinfo',
    host: 'reviews.bookinfo.svc.cluster.local',
    entityRef: 'component:default/reviews',
    routingApi: 'istio',
  },
  revision: 'rev-1',
  intent,
  clusters: [
    cluster('east', [w('east', 'v1')]),
    cluster('west', [w('west', 'v1'), w('west', 'v3')]),
  ],
});
const weight = (label: string) =>
  (screen.getByLabelText(`Weight of ${label} (percent)`) as HTMLInputElement)
    .value;

describe('TrafficSplitTab', () => {
  it('edits a split narrowed to a cluster by version and cluster, keeping the narrowing', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <TrafficSplitTab
        state={stateWith({
          split: [
            { version: 'v1', weight: 80 },
            { version: 'v3', cluster: 'west', weight: 20 },
          ],
        })}
        onReview={onReview}
      />,
    );
    expect(
      screen.getByRole('radio', { name: 'By version and cluster' }),
    ).toBeChecked();
    expect([weight('v1@east'), weight('v1@west'), weight('v3@west')]).toEqual([
      '40',
      '40',
      '20',
    ]);
    fireEvent.change(screen.getByLabelText('Weight of v1@east (percent)'), {
      target: { value: '60' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    const split = onReview.mock.calls[0][0].split;
    expect(split.reduce((n: number, d: any) => n + d.weight, 0)).toBe(100);
    expect(split.every((d: any) => d.cluster)).toBe(true);
    expect(split[0]).toEqual({ version: 'v1', cluster: 'east', weight: 60 });
  });

  it('switches to version mode by summing each version, and back by spreading it over its clusters', async () => {
    await renderInTestApp(
      <TrafficSplitTab
        state={stateWith({
          split: [
            { version: 'v1', cluster: 'east', weight: 30 },
            { version: 'v1', cluster: 'west', weight: 30 },
            { version: 'v3', cluster: 'west', weight: 40 },
          ],
        })}
        onReview={jest.fn()}
      />,
    );
    fireEvent.click(screen.getByRole('radio', { name: 'By version' }));
    expect([weight('v1'), weight('v3')]).toEqual(['60', '40']);
    fireEvent.click(
      screen.getByRole('radio', { name: 'By version and cluster' }),
    );
    expect([weight('v1@east'), weight('v1@west'), weight('v3@west')]).toEqual([
      '30',
      '30',
      '40',
    ]);
  });

  it('sends one cluster’s callers to another with the preset, as a sourceCluster route', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <TrafficSplitTab
        state={stateWith({ split: [{ version: 'v1', weight: 100 }] })}
        onReview={onReview}
      />,
    );
    fireEvent.click(
      screen.getByRole('button', { name: "Send east's callers to west" }),
    );
    expect(
      within(
        screen.getByRole('button', { name: /Calls from east go to/ }),
      ).getByText('west only'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      split: [{ version: 'v1', weight: 100 }],
      routes: [
        {
          name: 'from-east',
          match: [{ sourceCluster: 'east' }],
          split: [{ version: 'v1', cluster: 'west', weight: 100 }],
        },
      ],
    });
  });
});
