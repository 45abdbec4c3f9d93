export class ClusterTimeoutError extends Error {
  constructor(cluster: string, ms: number) {
    super(`cluster ${cluster} did not answer within ${ms}ms`);
    this.name = 'TimeoutError';
  }
}

/** Bounds one call to a cluster, so one slow cluster cannot hold a whole fan-out. */
export async function withTimeout<T>(cluster: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClusterTimeoutError(cluster, ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
