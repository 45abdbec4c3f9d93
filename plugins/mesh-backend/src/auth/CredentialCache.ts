import {
  MeshAuthStrategy,
  MeshClusterCredential,
  MeshClusterDetails,
} from '@meshtraffic/backstage-plugin-mesh-node';

/** A credential is renewed this long before it expires, so no request carries one that dies in flight. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;

/**
 * One cluster's credential, asked of its strategy when there is none valid: kept until shortly
 * before its `expiresAt`, never kept without one. Concurrent requests share one fetch.
 */
export class CredentialCache {
  private current?: MeshClusterCredential;
  private pending?: Promise<MeshClusterCredential>;

  constructor(
    private readonly strategy: MeshAuthStrategy,
    private readonly cluster: MeshClusterDetails,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<MeshClusterCredential> {
    if (this.current && this.stillValid(this.current)) return this.current;
    if (!this.pending) {
      this.pending = this.strategy
        .getCredential(this.cluster)
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
