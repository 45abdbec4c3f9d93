import fs from 'node:fs';
import path from 'node:path';
import {
  PROMETHEUS_BINARY,
  RunningPrometheus,
  startPrometheus,
} from './telemetry/prometheus';
import { loadTopologies } from './topology';
import { topologyPath } from './topologies';
import { startSandbox } from './sandbox';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * Prometheus scraping every cluster every 5 s on a fixed port, when the binary is there: the
 * portal's live traffic and automatic canaries read it. Without it the portal runs without them.
 */
async function maybePrometheus(
  clusters: Parameters<typeof startPrometheus>[0],
  port: number | undefined,
): Promise<RunningPrometheus | undefined> {
  if (port === undefined) return undefined;
  if (!fs.existsSync(PROMETHEUS_BINARY)) {
    process.stdout.write(
      `[sandbox] no Prometheus at ${PROMETHEUS_BINARY}: the portal runs without live traffic (install Debian's prometheus package to get it)\n`,
    );
    return undefined;
  }
  const prometheus = await startPrometheus(clusters, {
    port,
    intervalSeconds: 5,
  });
  process.stdout.write(`[sandbox] prometheus ${prometheus.url}\n`);
  return prometheus;
}

/**
 * `kube-sandbox [--topology FILE[,FILE...]] [--kubeconfig FILE] [--admin-port N] [--prometheus-port N]`:
 * runs until stopped. Several topologies run as one sandbox (the default: the demo mesh on Istio's
 * API and the gamma mesh on Gateway API).
 */
async function main() {
  const topologyFiles = (
    arg('topology') ?? `${topologyPath('demo')},${topologyPath('gateway-api')}`
  )
    .split(',')
    .map(file => path.resolve(file));
  const kubeconfigPath = path.resolve(
    arg('kubeconfig') ?? path.join(process.cwd(), '.sandbox', 'kubeconfig'),
  );
  const adminPort = arg('admin-port') ? Number(arg('admin-port')) : undefined;
  const sandbox = await startSandbox(loadTopologies(topologyFiles), {
    kubeconfigPath,
    adminPort,
  });
  for (const c of sandbox.clusters) {
    process.stdout.write(
      `[sandbox] ${c.name.padEnd(12)} ${c.role.padEnd(8)} mesh ${c.mesh.padEnd(
        8,
      )} ${c.url}\n`,
    );
  }
  process.stdout.write(
    `[sandbox] kubeconfig ${kubeconfigPath} (contexts: ${sandbox.clusters
      .map(c => c.name)
      .join(', ')})\n`,
  );
  process.stdout.write(`[sandbox] admin ${sandbox.adminUrl}\n`);
  const prometheusPort = arg('prometheus-port');
  const prometheus = await maybePrometheus(
    sandbox.clusters,
    prometheusPort ? Number(prometheusPort) : undefined,
  );
  process.stdout.write(`[sandbox] ready\n`);
  const stop = async () => {
    await prometheus?.stop();
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(`[sandbox] ${error.stack ?? error}\n`);
  process.exit(1);
});
