import {
  MeshAuthStrategy,
  MeshClusterCredential,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';

/** A credential is renewed this long before it expires, so no request carries one that dies in flight. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;

/** A strategy that gives no answer: a hung token endpoint or exec plugin. */
export class CredentialTimeoutError extends Error {
  constructor(ms: number) {
    super(`the auth strategy gave no credential within ${ms}ms`);
    this.name = 'CredentialTimeoutError';
  }
}

/** Rejects when `promise` has not settled within `ms`; the timer never outlives it. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CredentialTimeoutError(ms)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A hung fetch is not asked again for this many fetch timeouts, so hung exec plugins do not pile up. */
export const STUCK_BACKOFF_TIMEOUTS = 6;

/**
 * One cluster's credential, asked of its strategy when there is none valid: kept until shortly
 * before its `expiresAt`, never kept without one. Concurrent requests share one fetch. A fetch
 * that hangs is given up after `fetchTimeoutMs`; while it still hangs, requests fail at once
 * rather than start more, until it answers (its credential is then used) or
 * {@link STUCK_BACKOFF_TIMEOUTS} timeouts have passed and the strategy is asked afresh.
 */
export class CredentialCache {
  private current?: MeshClusterCredential;
  private pending?: Promise<MeshClusterCredential>;
  private stuckSince?: number;

  constructor(
    private readonly strategy: MeshAuthStrategy,
    private readonly cluster: MeshClusterDetails,
    private readonly now: () => number = Date.now,
    private readonly fetchTimeoutMs = 10_000,
  ) {}

  /** Whether a request is waiting on the strategy right now. */
  get fetching(): boolean {
    return this.pending !== undefined;
  }

  async get(): Promise<MeshClusterCredential> {
    if (this.current && this.stillValid(this.current)) return this.current;
    if (this.pending) return this.pending;
    if (
      this.stuckSince !== undefined &&
      this.now() - this.stuckSince <
        this.fetchTimeoutMs * STUCK_BACKOFF_TIMEOUTS
    )
      throw new Error(
        'the auth strategy has not answered its last request yet; not asking it again so soon',
      );
    // A strategy that throws synchronously fails like one that rejects.
    const asked = Promise.resolve().then(() =>
      this.strategy.getCredential(this.cluster),
    );
    asked.then(
      credential => {
        this.current = credential;
        this.stuckSince = undefined;
      },
      () => {
        this.stuckSince = undefined;
      },
    );
    this.pending = within(asked, this.fetchTimeoutMs)
      .catch(e => {
        if (e instanceof CredentialTimeoutError) this.stuckSince = this.now();
        throw e;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets the credential: the cluster refused it (401), so the next request fetches a new one. */
  forget() {
    this.current = undefined;
  }

  private stillValid(credential: MeshClusterCredential) {
    const expiresAt =
      credential.type === 'anonymous' ? undefined : credential.expiresAt;
    return (
      expiresAt !== undefined &&
      expiresAt.getTime() - RENEW_BEFORE_EXPIRY_MS > this.now()
    );
  }
}
