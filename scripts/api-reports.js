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
      'plugins/mesh',
    ],
    omit: OMIT,
  },
];

const repoTools = require.resolve(
  '@backstage/repo-tools/bin/backstage-repo-tools',
);

// Outside npm test (whose type check has just done it), the declarations are emitted first, from
// the API as it is now. Always a whole compilation, never an incremental one: TypeScript prints
// the types it infers (zod's, the new frontend system's) with unions and intersections in the
// order it happened to create them, and an incremental build creates them in another order than
// the clean build CI makes, so a report written after an incremental build fails CI unchanged.
if (!ci) {
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '--incremental', 'false'],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

let status = 0;
for (const run of runs) {
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
