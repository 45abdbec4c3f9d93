/**
 * What npm would publish, checked: every package builds (`backstage-cli repo build --all`, on the
 * declarations the type check emitted), and each publishable one (not private) prepacks, with a
 * built file behind every entry of its packed `exports`. `postpack` always restores package.json.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function cli(args, cwd = root) {
  execFileSync('yarn', ['backstage-cli', ...args], { cwd, stdio: 'inherit' });
}

function publishable() {
  return ['plugins', 'packages'].flatMap(dir =>
    fs
      .readdirSync(path.join(root, dir))
      .map(name => path.join(root, dir, name))
      .filter(p => fs.existsSync(path.join(p, 'package.json')))
      .filter(p => !require(path.join(p, 'package.json')).private),
  );
}

/** Every file a packed package.json's exports point at, missing ones listed. */
function missingExports(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json')));
  const targets = Object.values(pkg.exports ?? {}).flatMap(entry =>
    typeof entry === 'string'
      ? [entry]
      : Object.entries(entry)
          .filter(([condition]) => condition !== 'backstage')
          .map(([, target]) => target),
  );
  return [pkg.main, pkg.types, ...targets]
    .filter(Boolean)
    .filter(target => !fs.existsSync(path.join(dir, target)));
}

function main() {
  cli(['repo', 'build', '--all']);
  const problems = [];
  for (const dir of publishable()) {
    const name = path.relative(root, dir);
    try {
      cli(['package', 'prepack'], dir);
      const missing = missingExports(dir);
      if (missing.length)
        problems.push(`${name}: packed exports point at missing ${missing}`);
      else process.stdout.write(`${name}: packs\n`);
    } catch (e) {
      problems.push(`${name}: prepack failed (${e.message})`);
    } finally {
      cli(['package', 'postpack'], dir);
    }
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
}

main();
