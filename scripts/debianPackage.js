/*
 * Debian packages the tests need (Chromium for the e2e tests, Prometheus for the telemetry
 * tests), installed with apt-get when missing and it can be done without a prompt: as root, or
 * with `sudo -n`.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

function apt(...args) {
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo', '-n'] : [];
  return spawnSync(
    sudo[0] ?? 'apt-get',
    [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args],
    {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  ).status;
}

/**
 * Makes sure `binary` exists, installing Debian's `pkg` when it does not. Returns whether the
 * binary is there afterwards; `log` says what happened.
 */
function ensureDebianPackage(binary, pkg, log) {
  if (fs.existsSync(binary)) return true;
  log(`${binary} is missing; installing Debian's ${pkg}`);
  if (apt('install', '-y', '--no-install-recommends', pkg) !== 0) {
    apt('update');
    apt('install', '-y', '--no-install-recommends', pkg);
  }
  return fs.existsSync(binary);
}

module.exports = { ensureDebianPackage };
