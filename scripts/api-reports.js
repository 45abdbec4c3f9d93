#!/usr/bin/env node
/*
 * The publishable packages' API reports (report*.api.md beside each package.json), made by
 * Backstage's repo-tools from the declarations `tsc` emitted. `node scripts/api-reports.js`
 * writes them after an API change; `--ci` (as npm test runs it) fails when one is out of date.
 */
'use strict';

const { spawnSync } = require('node:child_process');

const ci = process.argv.includes('--ci');
// Undocumented members are many and not an API change; the mesh plugins' types come from
// mesh-common's sources, which API Extractor reads as .ts (it prefers .d.ts).
const OMIT = ['ae-undocumented', 'ae-wrong-input-file-type'];
const runs = [
  {
    paths: [
      'plugins/mesh-common',
      'plugins/mesh-node',
      'plugins/mesh-backend',
      'plugins/scaffolder-backend-module-mesh',
    ],
    omit: OMIT,
  },
  // Written, not checked: TypeScript prints the new frontend system's inferred extension types
  // (report-alpha.api.md) with their unions in an order that differs from one compilation to the
  // next, so a check would fail on an unchanged API.
  { paths: ['plugins/mesh'], omit: OMIT, write: true },
];

const repoTools = require.resolve(
  '@backstage/repo-tools/bin/backstage-repo-tools',
);

// Outside npm test (which has just run it), the declarations are emitted first: a report is
// written from the API as it is now, never from a stale dist-types.
if (!ci) {
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc')],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

let status = 0;
for (const run of runs) {
  if (ci && run.write) continue;
  const result = spawnSync(
    process.execPath,
    [
      repoTools,
      'api-reports',
      ...(ci ? ['--ci'] : []),
      '--omit-messages',
      run.omit.join(','),
      ...run.paths,
    ],
    { stdio: 'inherit' },
  );
  if (result.error) process.stderr.write(`api-reports: ${result.error}\n`);
  // A run a signal ended (status null) did not pass.
  if (result.status !== 0) status = status || (result.status ?? 1);
}
process.exit(status);
