import { ServiceUnavailableError } from '@backstage/errors';
import { PrometheusConfig } from '../config/readMeshConfig';

/** One series of an instant query: its labels and its value. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/**
 * Instant queries against a mesh's Prometheus (its HTTP API), with the configured auth and a
 * timeout that aborts the request. Errors say what failed without the URL's credentials or the
 * token.
 */
export class PrometheusClient {
  constructor(private readonly config: PrometheusConfig) {}

  private headers(): Record<string, string> {
    const { token, username, password } = this.config;
    if (token) return { Authorization: `Bearer ${token}` };
    if (username)
      return {
        Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString(
          'base64',
        )}`,
      };
    return {};
  }

  async query(promql: string): Promise<Sample[]> {
    const url = `${this.config.url}/api/v1/query?query=${encodeURIComponent(
      promql,
    )}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.headers(),
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      throw new ServiceUnavailableError(
        `Prometheus ${
          timedOut
            ? `did not answer within ${this.config.requestTimeoutMs}ms`
            : 'could not be reached'
        }`,
      );
    }
    const body = await response.json().catch(() => undefined);
    if (!response.ok || body?.status !== 'success') {
      throw new ServiceUnavailableError(
        `Prometheus refused the query (HTTP ${response.status}${
          body?.error ? `: ${body.error}` : ''
        })`,
      );
    }
    return (body.data.result ?? []).map(
      (r: { metric: Record<string, string>; value: [number, string] }) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }),
    );
  }
}
