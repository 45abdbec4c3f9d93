import { GraphEdge } from '@meshtraffic/backstage-plugin-mesh-common';
import { MeshConfig } from '../config/readMeshConfig';
import { AccessPreviewer } from './AccessPreviewer';

const target = {
  mesh: 'demo',
  namespace: 'bookinfo',
  service: 'reviews',
  entityRef: 'component:default/reviews',
};
const mesh = {
  id: 'demo',
  trustDomain: 'cluster.local',
  prometheus: { url: 'http://prometheus' },
} as unknown as MeshConfig;

const edge = (
  cluster: string,
  peer: string,
  more: Partial<GraphEdge> = {},
): GraphEdge => ({
  self: { version: 'v1', cluster },
  peer: { service: peer, namespace: 'bookinfo', version: 'v1', cluster },
  requestRate: 2,
  mtls: 'mutual_tls',
  principals: [`spiffe://cluster.local/ns/bookinfo/sa/${peer}`],
  ...more,
});

function previewer(inbound: GraphEdge[], reporting = ['east', 'west']) {
  return new AccessPreviewer({
    graph: async () => ({
      window: '30m',
      service: 'reviews',
      namespace: 'bookinfo',
      inbound,
      outbound: [],
    }),
    reportingClusters: async () => reporting,
  });
}

const onlyProductpage = {
  rules: [{ from: [{ serviceAccount: 'bookinfo/productpage' }] }],
};
const change = (more = {}) => ({
  access: onlyProductpage,
  otherAllowPolicies: [],
  runsOn: ['east', 'west'],
  ...more,
});

describe('AccessPreviewer', () => {
  it('turns away a caller no rule admits, and one whose calls arrive without mutual TLS, per cluster', async () => {
    const preview = await previewer([
      edge('east', 'productpage'),
      edge('east', 'ratings'),
      edge('west', 'details', { mtls: 'none', principals: [] }),
    ]).preview(target, mesh, change());
    expect(
      preview.turnedAway.map(t => [t.caller, t.cluster, t.admission]),
    ).toEqual([
      ['bookinfo/details', 'west', 'denied'],
      ['bookinfo/ratings', 'east', 'denied'],
    ]);
    expect(preview.turnedAway[0].reason).toMatch(/without mutual TLS/);
  });

  it('calls the callers unseen when a cluster the service runs on sends Prometheus no telemetry, and applies then only with *', async () => {
    const blind = previewer([edge('east', 'productpage')], ['east']);
    const preview = await blind.preview(target, mesh, change());
    expect(preview.unavailable).toMatch(
      /Prometheus holds no telemetry from west .* where reviews runs/,
    );
    await expect(blind.confirm(target, mesh, change(), [])).rejects.toThrow(
      /confirmDenied: \["\*"\]/,
    );
    await expect(
      blind.confirm(target, mesh, change(), ['*']),
    ).resolves.toBeUndefined();
  });

  it('lets a lift through unasked when no other ALLOW policy decides, and asks for * when one does', async () => {
    const p = previewer([edge('east', 'productpage')]);
    const lift = change({ access: undefined });
    expect(await p.preview(target, mesh, lift)).toEqual({
      window: '30m',
      turnedAway: [],
    });
    await expect(p.confirm(target, mesh, lift, [])).resolves.toBeUndefined();
    const shared = change({
      access: undefined,
      otherAllowPolicies: ['AuthorizationPolicy bookinfo/team on west'],
    });
    await expect(p.confirm(target, mesh, shared, [])).rejects.toThrow(
      /team on west/,
    );
  });

  it('names every caller it turns away, with its clusters and rates, until each is confirmed', async () => {
    const p = previewer([
      edge('east', 'ratings'),
      edge('west', 'ratings', { requestRate: 0.5 }),
    ]);
    await expect(p.confirm(target, mesh, change(), [])).rejects.toThrow(
      'confirmDenied: this access part turns away callers seen over the last 30m: bookinfo/ratings (east: 2.00 req/s, denied; west: 0.50 req/s, denied); name each in confirmDenied to apply it anyway',
    );
    await expect(p.confirm(target, mesh, change(), ['*'])).rejects.toThrow(
      /bookinfo\/ratings/,
    );
    await expect(
      p.confirm(target, mesh, change(), ['bookinfo/ratings']),
    ).resolves.toBeUndefined();
  });
});
