/*
 * `npm start` after bootstrap: the portal (frontend :3000, backend :7007) in development mode.
 * Runs under the Node the bootstrap chose, with yarn and the dependencies in place.
 */
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const portal = spawn('yarn', ['backstage-cli', 'repo', 'start', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'development' },
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => portal.kill(signal));
}
portal.on('exit', code => process.exit(code ?? 0));
