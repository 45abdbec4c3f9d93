/*
 * `npm start` after bootstrap: the sandbox clusters of the demo topology (east, west, edge on
 * 127.0.0.1:16443-16445, kubeconfig in .sandbox/kubeconfig, which app-config.yaml reads), a
 * Prometheus scraping them on 127.0.0.1:19090 (Debian's package, installed when missing and it can
 * be without a prompt; without it the portal runs without live traffic), then the portal
 * (frontend :3000, backend :7007) in development mode. Ctrl-C stops them all.
 * Runs under the Node the bootstrap chose, with yarn and the dependencies in place.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');
const { ensureDebianPackage } = require('./debianPackage');

const root = path.resolve(__dirname, '..');

const kubeconfig = path.join(root, '.sandbox', 'kubeconfig');
const PROMETHEUS_PORT = '19090';

function startSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'packages', 'kube-sandbox', 'bin', 'kube-sandbox'),
        '--kubeconfig',
        kubeconfig,
        '--prometheus-port',
        PROMETHEUS_PORT,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.on('data', chunk => {
      process.stdout.write(chunk);
      if (String(chunk).includes('[sandbox] ready')) resolve(child);
    });
    child.on('exit', code =>
      reject(new Error(`the sandbox exited (${code}) before it was ready`)),
    );
  });
}

async function main() {
  ensureDebianPackage(
    process.env.PROMETHEUS_PATH || '/usr/bin/prometheus',
    'prometheus',
    message => process.stdout.write(`[start] ${message}\n`),
  );
  const sandbox = await startSandbox();
  const portal = spawn(
    'yarn',
    ['backstage-cli', 'repo', 'start', ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'development' },
    },
  );

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      portal.kill(signal);
      sandbox.kill(signal);
    });
  }
  portal.on('exit', code => {
    sandbox.kill('SIGTERM');
    process.exit(code ?? 0);
  });
}

main().catch(error => {
  process.stderr.write(`[start] ${error.message}\n`);
  process.exit(1);
});
