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

/**
 * One cluster's credential, asked of its strategy when there is none valid: kept until shortly
 * before its `expiresAt`, never kept without one. Concurrent requests share one fetch, and a fetch
 * that hangs is given up after `fetchTimeoutMs`, so the next request asks afresh instead of
 * waiting on it forever.
 */
export class CredentialCache {
  private current?: MeshClusterCredential;
  private pending?: Promise<MeshClusterCredential>;

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
    if (!this.pending) {
      this.pending = within(
        // A strategy that throws synchronously fails like one that rejects.
        Promise.resolve().then(() => this.strategy.getCredential(this.cluster)),
        this.fetchTimeoutMs,
      )
        .then(credential => {
          this.current = credential;
          return credential;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
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
