/**
 * Integer shares of `total` proportional to `parts` (evenly when all are 0), largest remainders first.
 *
 * @public
 */
export function apportion(total: number, parts: number[]): number[] {
  if (!parts.length) return [];
  const sum = parts.reduce((a, b) => a + b, 0);
  const exact = parts.map(p =>
    sum > 0 ? (p / sum) * total : total / parts.length,
  );
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, r: x - Math.floor(x) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return floors;
}
