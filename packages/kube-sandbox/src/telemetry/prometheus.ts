import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/** What Prometheus needs of a sandbox cluster to scrape its /metrics. */
export interface ScrapedCluster {
  name: string;
  url: string;
  /** Base64 PEM of the cluster's CA. */
  caData: string;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; the `data` of Prometheus' answer. */
  query(promql: string): Promise<{
    resultType: string;
    result: Array<{ metric: Record<string, string>; value: [number, string] }>;
  }>;
  stop(): Promise<void>;
}

export const PROMETHEUS_BINARY =
  process.env.PROMETHEUS_PATH || '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A scrape config for every cluster: HTTPS against the cluster's own CA, one job per cluster. */
export function scrapeConfig(
  clusters: ScrapedCluster[],
  dir: string,
  intervalSeconds: number,
) {
  return {
    global: {
      scrape_interval: `${intervalSeconds}s`,
      evaluation_interval: `${intervalSeconds}s`,
    },
    scrape_configs: clusters.map(c => {
      const caFile = path.join(dir, `${c.name}-ca.pem`);
      fs.writeFileSync(caFile, Buffer.from(c.caData, 'base64'));
      return {
        job_name: `istio-${c.name}`,
        scheme: 'https',
        metrics_path: '/metrics',
        tls_config: { ca_file: caFile },
        static_configs: [
          { targets: [new URL(c.url).host], labels: { cluster: c.name } },
        ],
      };
    }),
  };
}

async function waitReady(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited (${child.exitCode}): ${log()}`);
    const ready = await fetch(`${url}/-/ready`).then(
      r => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`prometheus was not ready within 30 s: ${log()}`);
}

/** Prometheus applies discovered targets a few seconds after it starts: wait until every cluster has been scraped. */
async function waitScraped(url: string, clusters: number) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const targets = await fetch(`${url}/api/v1/targets`)
      .then(r => r.json())
      .catch(() => undefined);
    const active: Array<{ health: string }> =
      targets?.data?.activeTargets ?? [];
    if (active.length === clusters && active.every(t => t.health === 'up'))
      return;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(
    `prometheus had not scraped all ${clusters} clusters within 30 s`,
  );
}

/**
 * A real Prometheus (Debian's package) scraping the sandbox's clusters, on a loopback port with
 * its own config and storage in a temporary directory.
 */
export async function startPrometheus(
  clusters: ScrapedCluster[],
  options: { binary?: string; intervalSeconds?: number; port?: number } = {},
): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    stringify(scrapeConfig(clusters, dir, options.intervalSeconds ?? 1)),
  );
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    options.binary ?? PROMETHEUS_BINARY,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', c => (output = `${output}${c}`.slice(-4000)));
  child.stderr!.on('data', c => (output = `${output}${c}`.slice(-4000)));
  await waitReady(url, child, () => output);
  await waitScraped(url, clusters.length);
  return {
    url,
    async query(promql) {
      const response = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      const body = await response.json();
      if (body.status !== 'success')
        throw new Error(`prometheus refused ${promql}: ${body.error}`);
      return body.data;
    },
    async stop() {
      // Stopping twice (a test that stops it early, then its afterAll) waits for nothing.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
