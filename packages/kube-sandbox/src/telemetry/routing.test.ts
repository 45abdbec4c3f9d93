import { routeShares } from './routing';

const host = 'reviews.bookinfo.svc.cluster.local';
const endpoints = [
  { version: 'v1', cluster: 'east', ready: 2 },
  { version: 'v1', cluster: 'west', ready: 2 },
  { version: 'v3', cluster: 'west', ready: 1 },
];
const dr = {
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    host,
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v3', labels: { version: 'v3' } },
    ],
  },
};
const vs = (http: unknown[]) => ({
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: { hosts: ['reviews'], http },
});
const to = (subset: string, weight: number) => ({
  destination: { host, subset },
  weight,
});
const rounded = (shares: ReturnType<typeof routeShares>) =>
  shares.map(s => ({ ...s, share: Math.round(s.share * 1000) / 1000 }));

describe('the traffic model routes as Envoy would', () => {
  it('spreads a request over every endpoint, by ready replicas, when no VirtualService routes the host', () => {
    expect(
      rounded(
        routeShares(
          'reviews',
          'bookinfo',
          { virtualServices: [], destinationRules: [] },
          endpoints,
        ),
      ),
    ).toEqual([
      { share: 0.4, version: 'v1', cluster: 'east' },
      { share: 0.4, version: 'v1', cluster: 'west' },
      { share: 0.2, version: 'v3', cluster: 'west' },
    ]);
  });

  it('splits by weight, then over each version’s clusters', () => {
    const shares = routeShares(
      'reviews',
      'bookinfo',
      {
        virtualServices: [vs([{ route: [to('v1', 80), to('v3', 20)] }])],
        destinationRules: [dr],
      },
      endpoints,
    );
    expect(rounded(shares)).toEqual([
      { share: 0.4, version: 'v1', cluster: 'east' },
      { share: 0.4, version: 'v1', cluster: 'west' },
      { share: 0.2, version: 'v3', cluster: 'west' },
    ]);
  });

  it('passes over routes with a match (the callers send no headers) and takes the default route', () => {
    const http = [
      {
        match: [{ headers: { 'x-canary': { exact: 'always' } } }],
        route: [to('v3', 100)],
      },
      { route: [to('v1', 100)] },
    ];
    expect(
      rounded(
        routeShares(
          'reviews',
          'bookinfo',
          { virtualServices: [vs(http)], destinationRules: [dr] },
          endpoints,
        ),
      ),
    ).toEqual([
      { share: 0.5, version: 'v1', cluster: 'east' },
      { share: 0.5, version: 'v1', cluster: 'west' },
    ]);
  });

  it('answers 503 NR for a route to a subset no DestinationRule defines', () => {
    const shares = routeShares(
      'reviews',
      'bookinfo',
      {
        virtualServices: [vs([{ route: [to('v1', 50), to('v2', 50)] }])],
        destinationRules: [dr],
      },
      endpoints,
    );
    expect(rounded(shares)).toContainEqual({
      share: 0.5,
      localStatus: 503,
      responseFlags: 'NR',
    });
  });

  it('aborts a fault’s share at the source (FI) and delays another share', () => {
    const route = {
      route: [to('v1', 100)],
      fault: {
        abort: { httpStatus: 500, percentage: { value: 10 } },
        delay: { fixedDelay: '2s', percentage: { value: 50 } },
      },
    };
    const shares = rounded(
      routeShares(
        'reviews',
        'bookinfo',
        { virtualServices: [vs([route])], destinationRules: [dr] },
        endpoints,
      ),
    );
    expect(shares).toEqual([
      { share: 0.1, localStatus: 500, responseFlags: 'FI' },
      {
        share: 0.225,
        version: 'v1',
        cluster: 'east',
        delayMs: 2000,
        responseFlags: 'DI',
      },
      { share: 0.225, version: 'v1', cluster: 'east' },
      {
        share: 0.225,
        version: 'v1',
        cluster: 'west',
        delayMs: 2000,
        responseFlags: 'DI',
      },
      { share: 0.225, version: 'v1', cluster: 'west' },
    ]);
  });
});
