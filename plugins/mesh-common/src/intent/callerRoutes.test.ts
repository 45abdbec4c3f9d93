import { reviewsWorkloads } from '../__testUtils__/bookinfo';
import { validateIntent } from './validate';
import {
  callerTargets,
  splitOnCluster,
  withCallerTargets,
} from './callerRoutes';

describe('routing by the caller’s cluster', () => {
  const intent = {
    split: [
      { version: 'v1', weight: 80 },
      { version: 'v3', weight: 20 },
    ],
  };

  it('narrows the default split to a cluster, keeping only what runs there, back to 100', () => {
    expect(splitOnCluster(intent.split, 'west', reviewsWorkloads)).toEqual([
      { version: 'v1', cluster: 'west', weight: 80 },
      { version: 'v3', cluster: 'west', weight: 20 },
    ]);
    expect(splitOnCluster(intent.split, 'east', reviewsWorkloads)).toEqual([
      { version: 'v1', cluster: 'east', weight: 100 },
    ]);
  });

  it('sends east’s callers to west with a sourceCluster route (the seed’s partitioning), and reads it back', () => {
    const next = withCallerTargets(intent, { east: 'west' }, reviewsWorkloads);
    expect(next.routes).toEqual([
      {
        name: 'from-east',
        match: [{ sourceCluster: 'east' }],
        split: [
          { version: 'v1', cluster: 'west', weight: 80 },
          { version: 'v3', cluster: 'west', weight: 20 },
        ],
      },
    ]);
    expect(validateIntent(next, { workloads: reviewsWorkloads })).toMatchObject(
      {
        ok: true,
      },
    );
    expect(callerTargets(next)).toEqual({ east: 'west' });
    // Clearing the mapping removes the route and nothing else.
    expect(withCallerTargets(next, {}, reviewsWorkloads)).toEqual(intent);
  });
});
