import { apportion } from '@meshtraffic/backstage-plugin-mesh-common';

/** `n` whole weights summing to 100, as even as integers allow. */
export function splitEvenly(n: number): number[] {
  return apportion(100, new Array(n).fill(1));
}

/**
 * Sets one destination's weight and keeps the sum at 100 by moving the difference across the
 * other unlocked destinations, in proportion to their weights (as Kiali's sliders do). Locked
 * destinations keep theirs; the moved one is clamped to what the locked ones leave.
 */
export function rebalance(
  weights: number[],
  index: number,
  value: number,
  locked: boolean[] = [],
): number[] {
  const others = weights.map((_, i) => i).filter(i => i !== index);
  const lockedSum = others
    .filter(i => locked[i])
    .reduce((a, i) => a + weights[i], 0);
  const free = others.filter(i => !locked[i]);
  const max = 100 - lockedSum;
  const clamped = free.length
    ? Math.min(Math.max(Math.round(value), 0), max)
    : max;
  const shares = apportion(
    max - clamped,
    free.map(i => weights[i]),
  );
  const next = [...weights];
  next[index] = clamped;
  free.forEach((i, k) => {
    next[i] = shares[k];
  });
  return next;
}
