/** One measured figure, printed as a line and written to docs/benchmarks.md. */
export interface Figure {
  name: string;
  value: string;
  /** The value divided by its baseline or limit, measured in the same run. */
  ratio?: number;
  /** What the ratio is against, e.g. "2 round trips" or "kubectl loop". */
  against: string;
  /** The target, e.g. "<= 1.3". */
  target?: string;
  met?: boolean;
  note?: string;
}

export const ms = (n: number) => `${n.toFixed(0)} ms`;

/** The median of a few runs: one slow run on a shared machine must not make the figure. */
export async function median(
  runs: number,
  work: () => Promise<number>,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await work());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
