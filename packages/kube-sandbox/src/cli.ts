import path from 'node:path';
import { loadTopology } from './topology';
import { topologyPath } from './topologies';
import { startSandbox } from './sandbox';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `kube-sandbox [--topology FILE] [--kubeconfig FILE] [--admin-port N]`: runs until stopped. */
async function main() {
  const topologyFile = path.resolve(arg('topology') ?? topologyPath('demo'));
  const kubeconfigPath = path.resolve(
    arg('kubeconfig') ?? path.join(process.cwd(), '.sandbox', 'kubeconfig'),
  );
  const adminPort = arg('admin-port') ? Number(arg('admin-port')) : undefined;
  const sandbox = await startSandbox(loadTopology(topologyFile), {
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
  process.stdout.write(`[sandbox] ready\n`);
  const stop = async () => {
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
