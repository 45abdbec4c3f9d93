import fc from 'fast-check';
import { apportion } from '@meshtraffic/backstage-plugin-mesh-common';
import { rebalance, splitEvenly } from './rebalance';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('slider arithmetic', () => {
  it('moves the difference onto the others in proportion', () => {
    expect(rebalance([50, 30, 20], 0, 70)).toEqual([70, 18, 12]);
    expect(rebalance([100, 0], 1, 30)).toEqual([70, 30]);
  });

  it('leaves locked destinations alone and clamps to what they leave', () => {
    expect(rebalance([40, 40, 20], 0, 90, [false, false, true])).toEqual([
      80, 0, 20,
    ]);
    expect(rebalance([40, 40, 20], 0, 10, [false, true, false])).toEqual([
      10, 40, 50,
    ]);
  });

  it('gives a lone unlocked destination whatever the locked ones leave', () => {
    expect(rebalance([40, 60], 0, 10, [false, true])).toEqual([40, 60]);
  });

  it('splits evenly in whole numbers', () => {
    expect(splitEvenly(3)).toEqual([34, 33, 33]);
    expect(splitEvenly(1)).toEqual([100]);
    expect(apportion(10, [0, 0])).toEqual([5, 5]);
  });

  it('always keeps integer weights within 0..100 summing to 100', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain(n =>
            fc.tuple(
              fc.constant(splitEvenly(n)),
              fc.array(
                fc.tuple(
                  fc.nat(n - 1),
                  fc.integer({ min: -20, max: 140 }),
                  fc.array(fc.boolean(), { minLength: n, maxLength: n }),
                ),
                { maxLength: 20 },
              ),
            ),
          ),
        ([start, moves]) => {
          let weights = start;
          for (const [i, v, locked] of moves) {
            weights = rebalance(weights, i % weights.length, v, locked);
            expect(sum(weights)).toBe(100);
            expect(
              weights.every(w => Number.isInteger(w) && w >= 0 && w <= 100),
            ).toBe(true);
          }
        },
      ),
    );
  });
});
