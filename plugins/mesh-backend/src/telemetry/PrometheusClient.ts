import { ServiceUnavailableError } from '@backstage/errors';
import { PrometheusConfig } from '../config/readMeshConfig';

/** One series of an instant query: its labels and its value. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** One series of a range query. */
export interface RangeSeries {
  metric: Record<string, string>;
  points: Array<[number, number]>;
}

/**
 * Instant and range queries against a mesh's Prometheus (its HTTP API), with the configured auth and a
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
    const data = await this.get(`query?query=${encodeURIComponent(promql)}`);
    return data.result.map(
      (r: { metric: Record<string, string>; value: [number, string] }) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }),
    );
  }

  /** A range query: each series' [unix seconds, value] points from start to end (unix seconds). */
  async queryRange(
    promql: string,
    range: { start: number; end: number; stepSeconds: number },
  ): Promise<RangeSeries[]> {
    const data = await this.get(
      `query_range?query=${encodeURIComponent(promql)}&start=${
        range.start
      }&end=${range.end}&step=${range.stepSeconds}`,
    );
    return data.result.map(
      (r: { metric: Record<string, string>; values: [number, string][] }) => ({
        metric: r.metric,
        points: r.values
          .map(([t, v]) => [t, Number(v)] as [number, number])
          .filter(([, v]) => Number.isFinite(v)),
      }),
    );
  }

  private async get(path: string): Promise<{ result: any[] }> {
    const url = `${this.config.url}/api/v1/${path}`;
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
    return { result: body.data?.result ?? [] };
  }
}
