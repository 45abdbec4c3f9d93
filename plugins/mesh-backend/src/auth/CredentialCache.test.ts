import { MeshAuthStrategy } from '@meshtraffic/backstage-plugin-mesh-node';
import {
  CredentialCache,
  RENEW_BEFORE_EXPIRY_MS,
  STUCK_BACKOFF_TIMEOUTS,
} from './CredentialCache';

const cluster = {
  name: 'east',
  url: 'https://east',
  authProvider: 'fake',
  authMetadata: {},
};

/** A strategy handing out token-1, token-2, … each valid for ten minutes from the clock's now. */
function expiringTokens(clock: { now: number }) {
  let issued = 0;
  const strategy: MeshAuthStrategy = {
    getCredential: jest.fn(async () => ({
      type: 'bearer token' as const,
      token: `token-${++issued}`,
      expiresAt: new Date(clock.now + 10 * 60_000),
    })),
    validateCluster: () => [],
  };
  return strategy;
}

describe('CredentialCache', () => {
  it('keeps a credential while it is valid and fetches a new one once it expires', async () => {
    const clock = { now: 0 };
    const strategy = expiringTokens(clock);
    const cache = new CredentialCache(strategy, cluster, () => clock.now);
    expect(await cache.get()).toMatchObject({ token: 'token-1' });
    clock.now = 5 * 60_000;
    expect(await cache.get()).toMatchObject({ token: 'token-1' });
    clock.now = 10 * 60_000 - RENEW_BEFORE_EXPIRY_MS;
    expect(await cache.get()).toMatchObject({ token: 'token-2' });
    clock.now += 60 * 60_000;
    expect(await cache.get()).toMatchObject({ token: 'token-3' });
    expect(strategy.getCredential).toHaveBeenCalledTimes(3);
  });

  it('gives up on a strategy that hangs, does not pile up more asks while it hangs, and asks afresh later', async () => {
    const clock = { now: 0 };
    let calls = 0;
    const strategy: MeshAuthStrategy = {
      getCredential: async () => {
        calls++;
        if (calls === 1) return new Promise(() => {});
        return { type: 'bearer token', token: 'fresh' };
      },
      validateCluster: () => [],
    };
    const cache = new CredentialCache(strategy, cluster, () => clock.now, 50);
    await expect(cache.get()).rejects.toThrow(/gave no credential within 50ms/);
    expect(cache.fetching).toBe(false);
    await expect(cache.get()).rejects.toThrow(
      /has not answered its last request/,
    );
    expect(calls).toBe(1);
    clock.now += 50 * STUCK_BACKOFF_TIMEOUTS;
    expect(await cache.get()).toMatchObject({ token: 'fresh' });
    expect(calls).toBe(2);
  });

  it('shares one fetch among concurrent requests, and fetches again after forget', async () => {
    const clock = { now: 0 };
    const strategy = expiringTokens(clock);
    const cache = new CredentialCache(strategy, cluster, () => clock.now);
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(new Set(tokens.map((t: any) => t.token))).toEqual(
      new Set(['token-1']),
    );
    cache.forget();
    expect(await cache.get()).toMatchObject({ token: 'token-2' });
  });

  it('never keeps a credential without an expiry, nor a failure', async () => {
    let calls = 0;
    const cache = new CredentialCache(
      {
        getCredential: async () => {
          calls++;
          if (calls === 1) throw new Error('vault sealed');
          return { type: 'bearer token', token: 'static' };
        },
        validateCluster: () => [],
      },
      cluster,
    );
    await expect(cache.get()).rejects.toThrow('vault sealed');
    await cache.get();
    await cache.get();
    expect(calls).toBe(3);
  });
});
