import { renderInTestApp } from '@backstage/test-utils';
import { chooseOption } from '../../__testUtils__/chooseOption';
import { fireEvent, screen } from '@testing-library/react';
import { RoutesTab } from './RoutesTab';

jest.setTimeout(30_000);

const intent = {
  split: [{ version: 'v1', weight: 100 }],
  routes: [
    {
      name: 'testers',
      match: [{ headers: { 'x-canary': { exact: 'true' } } }],
      split: [{ version: 'v2', weight: 100 }],
      fault: { abort: { httpStatus: 503, percent: 5 } },
    },
  ],
};

describe('RoutesTab', () => {
  it('adds a regex URI route, moves it first, and keeps what it does not edit', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <RoutesTab
        intent={intent}
        versions={['v1', 'v2', 'v3']}
        clusters={['east', 'west']}
        onReview={onReview}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Add a route' }));
    fireEvent.change(screen.getByLabelText('Route 2: name'), {
      target: { value: 'api-v2' },
    });
    await chooseOption('api-v2 match 1 condition 1: how', 'regex');
    fireEvent.change(
      screen.getByLabelText('api-v2 match 1 condition 1: value'),
      { target: { value: '^/api/v2/.*' } },
    );
    await chooseOption('api-v2 destination 1: version', 'v3');
    fireEvent.click(screen.getByRole('button', { name: 'Move api-v2 up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenCalledWith({
      split: [{ version: 'v1', weight: 100 }],
      routes: [
        {
          name: 'api-v2',
          match: [{ uri: { regex: '^/api/v2/.*' } }],
          split: [{ version: 'v3', weight: 100 }],
        },
        intent.routes[0],
      ],
    });
  });

  it('lets the routes a review adds end by themselves, and only those', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <RoutesTab
        intent={intent}
        versions={['v1', 'v2', 'v3']}
        clusters={['east', 'west']}
        onReview={onReview}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Add a route' }));
    fireEvent.change(screen.getByLabelText('Route 2: name'), {
      target: { value: 'debug' },
    });
    fireEvent.change(
      screen.getByLabelText('debug match 1 condition 1: value'),
      { target: { value: 'yes' } },
    );
    fireEvent.change(
      screen.getByLabelText(
        'Routes added here end by themselves after (optional)',
      ),
      { target: { value: '2h' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview.mock.calls[0][1]).toEqual({
      routes: { debug: { for: '2h' } },
    });
  });

  it('matches on several conditions and alternatives, and removes a route', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <RoutesTab
        intent={intent}
        versions={['v1', 'v2']}
        clusters={['east', 'west']}
        onReview={onReview}
      />,
    );
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Add a condition to testers match 1',
      }),
    );
    await chooseOption(
      'testers match 1 condition 2: matches on',
      'Query parameter',
    );
    fireEvent.change(
      screen.getByLabelText('testers match 1 condition 2: name'),
      {
        target: { value: 'beta' },
      },
    );
    fireEvent.change(
      screen.getByLabelText('testers match 1 condition 2: value'),
      { target: { value: '1' } },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview.mock.calls[0][0].routes[0].match).toEqual([
      {
        headers: { 'x-canary': { exact: 'true' } },
        queryParams: { beta: { exact: '1' } },
      },
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove testers' }));
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview).toHaveBeenLastCalledWith({
      split: [{ version: 'v1', weight: 100 }],
    });
  });

  it('sets a route’s delay and mirror, and clears its abort', async () => {
    const onReview = jest.fn();
    await renderInTestApp(
      <RoutesTab
        intent={intent}
        versions={['v1', 'v2', 'v3']}
        clusters={['east', 'west']}
        onReview={onReview}
      />,
    );
    expect(
      (screen.getByLabelText('testers: abort status') as HTMLInputElement)
        .value,
    ).toBe('503');
    fireEvent.change(screen.getByLabelText('testers: abort status'), {
      target: { value: '' },
    });
    fireEvent.change(screen.getByLabelText('testers: delay'), {
      target: { value: '2s' },
    });
    fireEvent.change(screen.getByLabelText('testers: delay percent'), {
      target: { value: '10' },
    });
    await chooseOption('testers: mirror to', 'v3');
    fireEvent.change(screen.getByLabelText('testers: mirrored percent'), {
      target: { value: '25' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(onReview.mock.calls[0][0].routes[0]).toEqual({
      name: 'testers',
      match: intent.routes[0].match,
      split: intent.routes[0].split,
      fault: { delay: { fixed: '2s', percent: 10 } },
      mirror: { version: 'v3', percent: 25 },
    });
  });
});
