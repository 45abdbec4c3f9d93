#!/usr/bin/env node
/*
 * The one entry point behind `npm start`, `npm test` and `npm run test:e2e`.
 *
 * It runs on whatever Node the machine has (20 on a fresh one) and makes the repository
 * self-sufficient before handing over: a Node 22 from the npm registry when the machine's Node is
 * older than Backstage supports, the yarn release committed under .yarn/releases, the dependencies
 * (native addons built from source against that Node's headers), then the command itself.
 * Everything it installs lives inside the checkout (.tools/, node_modules/), so a second run is quick
 * and a fresh clone never depends on what an earlier session installed by hand.
 *
 * Plain CommonJS on purpose: it must run before any dependency exists.
 */
'use strict';

const { spawnSync, spawn } = require('node:child_process');
const { ensureDebianPackage } = require('./debianPackage');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tools = path.join(root, '.tools');
// Node 22.23 runs the Backstage backend here; 24.21 crashed in better-sqlite3's native code.
const PINNED_NODE = '22.23.3';
const SUPPORTED_MAJORS = [22, 24];

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    stdio: 'inherit',
    cwd: root,
    ...options,
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function mustRun(cmd, args, options) {
  const status = run(cmd, args, options);
  if (status !== 0) {
    log(`failed (${status}): ${cmd} ${args.join(' ')}`);
    process.exit(status);
  }
}

/** A Node that Backstage supports: this one, or one fetched from the npm registry into .tools/. */
function ensureNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (SUPPORTED_MAJORS.includes(major) && !process.env.MESH_FORCE_PINNED_NODE) {
    const nodeDir = path.resolve(path.dirname(process.execPath), '..');
    const hasHeaders = fs.existsSync(
      path.join(nodeDir, 'include', 'node', 'common.gypi'),
    );
    return {
      binDir: path.dirname(process.execPath),
      headersDir: hasHeaders ? nodeDir : undefined,
    };
  }
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(tools, `node-${PINNED_NODE}`);
  const pkgDir = path.join(prefix, 'node_modules', pkg);
  const binDir = path.join(pkgDir, 'bin');
  if (!fs.existsSync(path.join(binDir, 'node'))) {
    log(
      `Node ${process.versions.node} is older than Backstage supports; fetching ${pkg}@${PINNED_NODE} from the npm registry`,
    );
    fs.mkdirSync(prefix, { recursive: true });
    mustRun('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      `${pkg}@${PINNED_NODE}`,
    ]);
  }
  return { binDir, headersDir: pkgDir };
}

/** `yarn` on PATH, delegating to the release the repository commits (yarnPath). */
function ensureYarnShim(nodeBin) {
  const release = fs
    .readdirSync(path.join(root, '.yarn', 'releases'))
    .find(f => /^yarn-.*\.cjs$/.test(f));
  const shimDir = path.join(tools, 'bin');
  const shim = path.join(shimDir, 'yarn');
  const body = `#!/bin/sh\nexec "${nodeBin}" "${path.join(
    root,
    '.yarn',
    'releases',
    release,
  )}" "$@"\n`;
  fs.mkdirSync(shimDir, { recursive: true });
  if (!fs.existsSync(shim) || fs.readFileSync(shim, 'utf8') !== body) {
    fs.writeFileSync(shim, body, { mode: 0o755 });
  }
  return shimDir;
}

function environment() {
  const node = ensureNode();
  const nodeBin = path.join(node.binDir, 'node');
  const shimDir = ensureYarnShim(nodeBin);
  const env = { ...process.env };
  env.PATH = [
    path.join(root, 'node_modules', '.bin'),
    node.binDir,
    shimDir,
    env.PATH,
  ].join(path.delimiter);
  // npm exports its own config to scripts (nodedir points at the system Node's headers here):
  // native addons must build against the headers of the Node that will load them.
  for (const key of Object.keys(env)) {
    if (/^npm_config_nodedir$/i.test(key)) delete env[key];
  }
  if (node.headersDir) env.npm_config_nodedir = node.headersDir;
  env.YARN_ENABLE_TELEMETRY = '0';
  env.YARN_ENABLE_PROGRESS_BARS = '0';
  return { env, nodeBin };
}

/** What the installed tree was made from; a change to any of it means install again. */
function installFingerprint(nodeBin) {
  const hash = crypto.createHash('sha256');
  const files = ['package.json', 'yarn.lock', '.yarnrc.yml'];
  for (const dir of ['packages', 'plugins']) {
    for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
      files.push(path.join(dir, name, 'package.json'));
    }
  }
  for (const file of files) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) hash.update(file).update(fs.readFileSync(full));
  }
  hash.update(nodeBin);
  // Native addons (better-sqlite3, ...) are built for one Node ABI: a Node of another ABI at the
  // same path must install again, not load them and crash.
  hash.update(`abi:${nodeAbi(nodeBin)}`);
  return hash.digest('hex');
}

/** The ABI version (`process.versions.modules`) of the Node binary the tools run on. */
function nodeAbi(nodeBin) {
  const result = spawnSync(nodeBin, ['-p', 'process.versions.modules'], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`cannot run ${nodeBin} to read its ABI: ${result.stderr}`);
  return result.stdout.trim();
}

function ensureDependencies({ env, nodeBin }) {
  const stamp = path.join(root, 'node_modules', '.mesh-install-stamp');
  const fingerprint = installFingerprint(nodeBin);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fingerprint)
    return;
  log(
    'installing dependencies with yarn (first run, or package files changed)',
  );
  // On CI the lockfile is the contract: an install that would change it fails.
  mustRun('yarn', process.env.CI ? ['install', '--immutable'] : ['install'], {
    env,
  });
  // Again after the install: outside CI it may have updated yarn.lock.
  fs.writeFileSync(stamp, installFingerprint(nodeBin));
}

function yarn(args, env) {
  return run('yarn', args, { env });
}

/** The test suite: type check, lint, every package's tests; one summary line at the end. */
function test(env) {
  // The telemetry tests scrape the sandbox with a real Prometheus; on CI they must not be skipped.
  const prometheus = process.env.PROMETHEUS_PATH || '/usr/bin/prometheus';
  if (!ensureDebianPackage(prometheus, 'prometheus', log) && process.env.CI) {
    log(
      `${prometheus} is missing and could not be installed; the telemetry tests need it on CI`,
    );
    return 1;
  }
  const steps = [
    ['formatting', ['prettier', '--check', '.']],
    // A whole compilation (see scripts/api-reports.js): the reports are checked on its output.
    ['type check', ['tsc', '--incremental', 'false']],
    // On the declarations the type check emitted: a public API change needs its report updated.
    ['API reports', ['node', 'scripts/api-reports.js', '--ci']],
    ['lint', ['backstage-cli', 'repo', 'lint']],
    ['tests', ['backstage-cli', 'repo', 'test']],
    // Last: it builds dist folders, on the declarations the type check emitted.
    ['packaging', ['node', 'scripts/check-packages.js']],
  ];
  const results = [];
  // CI=true keeps backstage-cli from switching jest to watch mode on a developer's terminal.
  const testEnv = { ...env, CI: env.CI || 'true' };
  for (const [name, args] of steps) {
    log(`${name}: yarn ${args.join(' ')}`);
    const started = Date.now();
    const status = yarn(args, testEnv);
    results.push({
      name,
      ok: status === 0,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }
  const failed = results.filter(r => !r.ok);
  const summary = results
    .map(r => `${r.name} ${r.ok ? 'passed' : 'FAILED'} (${r.seconds}s)`)
    .join(', ');
  process.stdout.write(
    `\nSUMMARY: ${failed.length ? 'FAILED' : 'PASSED'}: ${summary}\n`,
  );
  return failed.length ? 1 : 0;
}

function start(env) {
  const child = spawn(
    'yarn',
    ['node', 'scripts/start.js', ...process.argv.slice(3)],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', code => process.exit(code ?? 0));
}

function main() {
  const command = process.argv[2];
  const ctx = environment();
  ensureDependencies(ctx);
  switch (command) {
    case 'install':
      return 0;
    case 'test':
      return test(ctx.env);
    case 'e2e':
      return yarn(
        ['node', 'scripts/e2e.js', ...process.argv.slice(3)],
        ctx.env,
      );
    case 'bench':
      return yarn(['node', 'bench/run.js', ...process.argv.slice(3)], ctx.env);
    case 'start':
      start(ctx.env);
      return undefined;
    default:
      log(`usage: node scripts/bootstrap.js install|test|e2e|bench|start`);
      return 2;
  }
}

const code = main();
if (code !== undefined) process.exit(code);
