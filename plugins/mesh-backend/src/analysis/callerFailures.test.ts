import { CanaryAnalysis } from '@meshtraffic/backstage-plugin-mesh-common';
import { callerFailureChecks, withCallerFailures } from './callerFailures';

const analysis = { successRateMin: 99, minRequests: 20 } as CanaryAnalysis;
const host = 'reviews.bookinfo.svc.cluster.local';

describe('callerFailureChecks', () => {
  it('fails a cluster whose callers fail more than the success floor tolerates, and no other', () => {
    const checks = callerFailureChecks(
      [
        { cluster: 'east', requests: 200, failed: 40 },
        { cluster: 'west', requests: 200, failed: 1 },
        { cluster: 'edge', requests: 5, failed: 5 },
      ],
      analysis,
      'v2',
      host,
    );
    expect(checks).toEqual([
      {
        cluster: 'east',
        requests: 200,
        verdict: 'fail',
        reasons: [
          expect.stringMatching(/^20% of the requests callers here sent/),
        ],
      },
    ]);
  });

  it('tolerates 1 % without a success floor', () => {
    const figures = [{ cluster: 'east', requests: 1000, failed: 11 }];
    expect(
      callerFailureChecks(
        figures,
        { minRequests: 20 } as CanaryAnalysis,
        'v2',
        host,
      ),
    ).toHaveLength(1);
    expect(
      callerFailureChecks(
        [{ cluster: 'east', requests: 1000, failed: 9 }],
        { minRequests: 20 } as CanaryAnalysis,
        'v2',
        host,
      ),
    ).toHaveLength(0);
  });

  it('leaves a cluster the readiness checks already failed to them', () => {
    const ready = [
      {
        cluster: 'east',
        requests: 0,
        verdict: 'fail' as const,
        reasons: ['dead'],
      },
    ];
    const callers = [
      {
        cluster: 'east',
        requests: 9,
        verdict: 'fail' as const,
        reasons: ['callers'],
      },
      {
        cluster: 'west',
        requests: 9,
        verdict: 'fail' as const,
        reasons: ['callers'],
      },
    ];
    expect(withCallerFailures(ready, callers).map(c => c.reasons[0])).toEqual([
      'dead',
      'callers',
    ]);
  });
});
