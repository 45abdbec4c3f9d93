#!/usr/bin/env node
/*
 * `npm run bench`: runs the benchmarks in bench/, prints one line per figure with its ratio to a
 * baseline or limit measured in the same run, and writes docs/benchmarks.md. Never part of the
 * tests: timings belong here, not in assertions. `npm run bench -- generator stateRead` runs some.
 */
'use strict';

// The TypeScript sources run through Backstage's own Node transform, as the sandbox's CLI does.
require('@backstage/cli/config/nodeTransform.cjs');
const { writeReport } = require('./lib/report.ts');

const ALL = ['generator', 'stateRead', 'meshSize', 'applyFanOut', 'bundleSize'];

async function main() {
  const chosen = process.argv.slice(2).filter(a => !a.startsWith('-'));
  const names = chosen.length ? ALL.filter(n => chosen.includes(n)) : ALL;
  const figures = [];
  for (const name of names) {
    process.stderr.write(`[bench] ${name}\n`);
    const found = await require(`./${name}.ts`).run();
    for (const f of found) {
      const ratio =
        f.ratio === undefined ? '' : ` = ${f.ratio.toFixed(2)} x ${f.against}`;
      const verdict = f.target
        ? ` (target ${f.target}: ${f.met ? 'met' : 'MISSED'})`
        : '';
      process.stdout.write(
        `${f.name}: ${f.value}${ratio}${verdict}${
          f.note ? `; ${f.note}` : ''
        }\n`,
      );
    }
    figures.push(...found);
  }
  if (!chosen.length) {
    const file = writeReport(figures);
    process.stderr.write(`[bench] wrote ${file}\n`);
  }
}

main().then(
  () => process.exit(0),
  e => {
    process.stderr.write(`[bench] ${e.stack || e}\n`);
    process.exit(1);
  },
);
