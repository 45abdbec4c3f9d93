/**
 * Waits until a backend's read shows a change made behind its back (by kubectl, another tool or
 * a test's own client): its watch caches see it within milliseconds, not at once.
 */
export async function untilWatched(
  read: () => Promise<{ revision: string }>,
  before: string,
  ms = 3000,
): Promise<void> {
  const end = Date.now() + ms;
  while ((await read()).revision === before) {
    if (Date.now() > end)
      throw new Error(
        `the backend's caches did not see the change within ${ms} ms`,
      );
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Waits until a read through a backend's caches satisfies a check (e.g. another replica's whole change has arrived). */
export async function untilRead<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  ms = 3000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > end) return value;
    await new Promise(r => setTimeout(r, 10));
  }
}
