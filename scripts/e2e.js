/*
 * `npm run test:e2e` after bootstrap: Debian's Chromium (installed when missing; Playwright's own
 * browser download cannot work here), the portal (reused when it already runs), then Playwright.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureDebianPackage } = require('./debianPackage');

const root = path.resolve(__dirname, '..');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FRONTEND = 'http://localhost:3000';
const BACKEND_READY = 'http://localhost:7007/.backstage/health/v1/readiness';

function log(message) {
  process.stderr.write(`[e2e] ${message}\n`);
}

function ensureChromium() {
  if (!ensureDebianPackage(chromium, 'chromium', log)) {
    throw new Error(
      'could not install chromium with apt-get; set CHROMIUM_PATH to a Chromium binary',
    );
  }
}

async function isUp(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitFor(url, ms, portal) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (portal && portal.exitCode !== null)
      throw new Error(
        `the portal exited (${portal.exitCode}) before ${url} answered`,
      );
    if (await isUp(url)) return;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${ms / 1000}s`);
}

async function main() {
  ensureChromium();
  let portal;
  if ((await isUp(BACKEND_READY)) && (await isUp(FRONTEND))) {
    log('reusing the portal already running on :3000 and :7007');
  } else {
    log('starting the portal');
    portal = spawn(process.execPath, [path.join(root, 'scripts', 'start.js')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
      env: { ...process.env, BROWSER: 'none' },
    });
  }
  let status = 1;
  try {
    await waitFor(BACKEND_READY, 300_000, portal);
    await waitFor(FRONTEND, 300_000, portal);
    fs.mkdirSync(path.join(root, 'docs', 'screenshots'), { recursive: true });
    status =
      spawnSync('playwright', ['test', ...process.argv.slice(2)], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, CHROMIUM_PATH: chromium },
      }).status ?? 1;
  } finally {
    if (portal) {
      try {
        process.kill(-portal.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // Wait until it has let go of its ports, so a next run starts a fresh portal and sandbox.
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        ((await isUp(BACKEND_READY)) || (await isUp(FRONTEND)))
      ) {
        await new Promise(r => setTimeout(r, 1000));
      }
    }
  }
  process.exit(status);
}

main().catch(error => {
  log(error.message);
  process.exit(1);
});
