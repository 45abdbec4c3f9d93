import { MeshMetrics } from '../telemetry/MeshMetrics';
import { readinessChecks } from './readiness';
import { judgeCanary, judgeCluster, judgeInterval } from './verdict';

const analysis = {
  interval: '30s',
  successRateMin: 99,
  latency: { percentile: 99, maxMs: 500 },
  minRequests: 50,
  failureLimit: 2,
};
const canary = {
  baseline: 'v1',
  candidate: 'v3',
  steps: [20, 50, 100],
  step: 1,
  auto: true,
  analysis,
};

/** Instant-query answers as Prometheus 2.42 gave them for the demo (v3 on west failing 8 %). */
const RECORDED: Record<string, object[]> = {
  increase: [
    {
      metric: { destination_cluster: 'west', destination_version: 'v3' },
      value: [1763938000, '611.0169491525424'],
    },
    {
      metric: { destination_cluster: 'west', destination_version: 'v1' },
      value: [1763938000, '2440.677966101695'],
    },
    {
      metric: { destination_cluster: 'east', destination_version: 'v1' },
      value: [1763938000, '2433.898305084746'],
    },
  ],
  success: [
    {
      metric: { destination_cluster: 'west', destination_version: 'v3' },
      value: [1763938000, '0.9195402298850575'],
    },
    {
      metric: { destination_cluster: 'west', destination_version: 'v1' },
      value: [1763938000, '1'],
    },
  ],
  latency: [
    {
      metric: { destination_cluster: 'west', destination_version: 'v3' },
      value: [1763938000, '238.09523809523807'],
    },
    {
      metric: { destination_cluster: 'east', destination_version: 'v1' },
      value: [1763938000, 'NaN'],
    },
  ],
};

/** A Prometheus HTTP API that answers with the recorded results, by the query's function. */
function recordedPrometheus() {
  const fetch = jest.fn(async (url: string) => {
    const query = decodeURIComponent(new URL(url).searchParams.get('query')!);
    let key = 'success';
    if (query.startsWith('histogram_quantile')) key = 'latency';
    else if (query.includes('increase(')) key = 'increase';
    return new Response(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: RECORDED[key] },
      }),
    );
  });
  return fetch;
}

describe('the canary analysis', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  it('reads the candidate’s figures per cluster from recorded answers and fails west', async () => {
    global.fetch = recordedPrometheus() as any;
    const mesh = {
      id: 'demo',
      prometheus: { url: 'http://prometheus', requestTimeoutMs: 1000 },
    } as any;
    const figures = await new MeshMetrics().candidate(
      mesh,
      'reviews.bookinfo.svc.cluster.local',
      'v3',
      '30s',
      99,
    );
    expect(figures).toEqual([
      {
        cluster: 'west',
        requests: expect.closeTo(611.017, 3),
        successRate: expect.closeTo(91.954, 3),
        latencyMs: expect.closeTo(238.095, 3),
      },
    ]);
    const check = judgeCluster(figures[0], analysis);
    expect(check).toEqual({
      cluster: 'west',
      requests: 611,
      successRate: 91.95,
      latencyMs: 238.1,
      verdict: 'fail',
      reasons: ['success rate 91.95% is below 99%'],
    });
  });

  it('passes a healthy cluster, fails one too slow, and calls too few requests inconclusive', () => {
    expect(
      judgeCluster(
        { cluster: 'east', requests: 400, successRate: 100, latencyMs: 120 },
        analysis,
      ),
    ).toMatchObject({ verdict: 'pass', reasons: [] });
    expect(
      judgeCluster(
        { cluster: 'east', requests: 400, successRate: 99.5, latencyMs: 800 },
        analysis,
      ),
    ).toMatchObject({
      verdict: 'fail',
      reasons: ['p99 latency 800 ms is above 500 ms'],
    });
    expect(
      judgeCluster(
        { cluster: 'east', requests: 12, successRate: 0, latencyMs: 9000 },
        analysis,
      ),
    ).toMatchObject({
      verdict: 'inconclusive',
      reasons: [
        '12 requests to the candidate, fewer than the 50 an interval needs',
      ],
    });
    // Requests without any latency figure cannot pass a latency check.
    expect(
      judgeCluster(
        { cluster: 'east', requests: 400, successRate: 100 },
        analysis,
      ).verdict,
    ).toBe('fail');
  });

  const pass = (cluster: string) =>
    judgeCluster(
      { cluster, requests: 400, successRate: 100, latencyMs: 100 },
      analysis,
    );
  const fail = (cluster: string) =>
    judgeCluster(
      { cluster, requests: 400, successRate: 90, latencyMs: 100 },
      analysis,
    );
  const few = (cluster: string) =>
    judgeCluster({ cluster, requests: 3 }, analysis);

  it('advances when every cluster passes, and promotes at the last step', () => {
    expect(judgeCanary([pass('east'), pass('west')], canary, 0)).toMatchObject({
      verdict: 'pass',
      action: 'advance',
      failures: 0,
    });
    expect(
      judgeCanary([pass('east')], { ...canary, step: 3 }, 1),
    ).toMatchObject({ verdict: 'pass', action: 'promote', failures: 1 });
  });

  it('fails the interval when one cluster fails, and aborts at the failure limit', () => {
    const first = judgeCanary([pass('east'), fail('west')], canary, 0);
    expect(first).toMatchObject({
      verdict: 'fail',
      action: 'none',
      failures: 1,
    });
    expect(first.reason).toMatch(/^west: success rate 90% is below 99%/);
    const second = judgeCanary([pass('east'), fail('west')], canary, 1);
    expect(second).toMatchObject({
      verdict: 'fail',
      action: 'abort',
      failures: 2,
    });
    expect(second.reason).toMatch(/aborted, all traffic back to v1/);
  });

  it('never passes on too little traffic: inconclusive, with the count unchanged', () => {
    expect(judgeCanary([pass('east'), few('west')], canary, 1)).toMatchObject({
      verdict: 'inconclusive',
      action: 'none',
      failures: 1,
    });
    expect(judgeCanary([], canary, 0)).toMatchObject({
      verdict: 'inconclusive',
      action: 'none',
    });
    // A failure elsewhere still counts while another cluster is inconclusive.
    expect(judgeCanary([fail('east'), few('west')], canary, 0).verdict).toBe(
      'fail',
    );
  });

  describe('with the limits that keep it from running blind', () => {
    const counters = { failures: 0, inconclusive: 0, errors: 0, stepSince: 0 };
    const limited = {
      ...canary,
      analysis: { ...analysis, inconclusiveLimit: 3, errorLimit: 2 },
    };

    it('aborts after errorLimit intervals in a row without metrics', () => {
      const first = judgeInterval(
        { error: 'ECONNREFUSED' },
        limited,
        counters,
        1,
      );
      expect(first).toMatchObject({ action: 'none', errors: 1 });
      const second = judgeInterval(
        { error: 'ECONNREFUSED' },
        limited,
        { ...counters, errors: 1 },
        2,
      );
      expect(second).toMatchObject({ action: 'abort', errors: 2 });
      expect(second.reason).toMatch(
        /interval 2 of 2 in a row without metrics\): aborted, all traffic back to v1/,
      );
    });

    it('aborts after inconclusiveLimit unjudged intervals in a row, and a judged one resets the count', () => {
      const quiet = { checks: [few('east')] };
      expect(
        judgeInterval(quiet, limited, { ...counters, inconclusive: 1 }, 1),
      ).toMatchObject({ action: 'none', inconclusive: 2 });
      const third = judgeInterval(
        quiet,
        limited,
        { ...counters, inconclusive: 2 },
        1,
      );
      expect(third).toMatchObject({ action: 'abort', inconclusive: 3 });
      expect(third.reason).toMatch(/3 intervals in a row could not be judged/);
      expect(
        judgeInterval(
          { checks: [fail('east')] },
          limited,
          { ...counters, inconclusive: 2 },
          1,
        ),
      ).toMatchObject({ action: 'none', inconclusive: 0, failures: 1 });
    });

    it('aborts a step that has not passed within its progress deadline (default 20 intervals)', () => {
      const late = judgeInterval(
        { checks: [few('east')] },
        canary,
        counters,
        20 * 30_000,
      );
      expect(late.action).toBe('abort');
      expect(late.reason).toMatch(
        /has not passed within its progress deadline \(10m\)/,
      );
      // A pass at the deadline still advances.
      expect(
        judgeInterval({ checks: [pass('east')] }, canary, counters, 20 * 30_000)
          .action,
      ).toBe('advance');
    });
  });

  describe('a candidate routed but not ready', () => {
    const live = (workloads: any[], reachable = true) =>
      ({
        intent: {
          split: [
            { version: 'v1', weight: 80 },
            { version: 'v3', weight: 20 },
          ],
        },
        clusters: ['east', 'west'].map(cluster => ({
          cluster,
          isConfigCluster: true,
          reachable: cluster === 'east' ? true : reachable,
          routing: [],
          state: { workloads: workloads.filter(w => w.cluster === cluster) },
        })),
      } as any);
    const v3 = (cluster: string, replicas: number, readyReplicas: number) => ({
      cluster,
      version: 'v3',
      replicas,
      readyReplicas,
    });

    it('fails every config cluster when it has no ready pod anywhere', () => {
      const checks = readinessChecks(live([]), 'v3');
      expect(checks.map(c => [c.cluster, c.verdict])).toEqual([
        ['east', 'fail'],
        ['west', 'fail'],
      ]);
      expect(checks[0].reasons[0]).toMatch(
        /v3 receives 20% of the traffic but has no ready pod anywhere/,
      );
      expect(judgeCanary(checks, canary, 1).action).toBe('abort');
    });

    it('fails a cluster where it is deployed but none of its pods is ready', () => {
      expect(
        readinessChecks(live([v3('east', 2, 2), v3('west', 2, 0)]), 'v3').map(
          c => c.cluster,
        ),
      ).toEqual(['west']);
    });

    it('says nothing when it is ready, unrouted, or a cluster that might hold it cannot be read', () => {
      expect(readinessChecks(live([v3('west', 2, 2)]), 'v3')).toEqual([]);
      expect(readinessChecks(live([]), 'v2')).toEqual([]);
      expect(readinessChecks(live([], false), 'v3')).toEqual([]);
    });
  });
});
