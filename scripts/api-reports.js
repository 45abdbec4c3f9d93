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
  // mesh-common's testUtils fixtures are typed with the main entry point's types, which API
  // Extractor cannot see from the other entry point: the main one names them all.
  { paths: ['plugins/mesh-common'], omit: [...OMIT, 'ae-forgotten-export'] },
  {
    paths: [
      'plugins/mesh-node',
      'plugins/mesh-backend',
      'plugins/scaffolder-backend-module-mesh',
      'plugins/mesh',
    ],
    omit: OMIT,
  },
];

let status = 0;
for (const run of runs) {
  const result = spawnSync(
    'backstage-repo-tools',
    [
      'api-reports',
      ...(ci ? ['--ci'] : []),
      '--omit-messages',
      run.omit.join(','),
      ...run.paths,
    ],
    { stdio: 'inherit' },
  );
  status = status || result.status || (result.error ? 1 : 0);
}
process.exit(status);
