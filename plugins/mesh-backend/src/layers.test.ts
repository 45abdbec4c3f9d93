import fs from 'node:fs';
import path from 'node:path';

/**
 * The backend's folders, lowest first: each may import the ones before it, never one after it,
 * so the pipeline reads top to bottom (clusters and records, then reading, planning, applying,
 * then the automation that applies for people, then the pages and HTTP). Files at the root
 * (plugin.ts, wiring.ts, router.ts) stand above all of them.
 */
const LAYERS = [
  'auth',
  'config',
  'kubernetes',
  'database',
  'ownership',
  'read',
  'plan',
  'apply',
  'telemetry',
  'analysis',
  'rollout',
  'expiry',
  'views',
  'http',
  'actions',
];

const SOURCE = __dirname;

/** Test helpers live in these top folders; production code everywhere else, at any depth. */
const TEST_ONLY = ['__testUtils__', 'testUtils'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return dir === SOURCE && TEST_ONLY.includes(entry.name)
        ? []
        : sources(full);
    return /\.[cm]?[jt]sx?$/.test(entry.name) &&
      !/\.test\.[cm]?[jt]sx?$/.test(entry.name) &&
      !/\.d\.ts$/.test(entry.name) &&
      entry.name !== 'setupTests.ts'
      ? [full]
      : [];
  });
}

/** The layer of a file (or a folder, for an import of its index): its top folder's place, or above every folder at the root. */
function layerOf(file: string): number {
  const [top, ...rest] = path.relative(SOURCE, file).split(path.sep);
  const isFolder = fs.existsSync(file) && fs.statSync(file).isDirectory();
  if (!rest.length && !(isFolder && top)) return LAYERS.length;
  const at = LAYERS.indexOf(top);
  if (at < 0) throw new Error(`${top}/ is in no layer: add it to LAYERS`);
  return at;
}

/** The package's own name: importing it is importing src/index.ts, the root. */
const SELF = '@meshtraffic/backstage-plugin-mesh-backend';

/**
 * Every module a file names: `from` (imports and re-exports), `import x = require()`,
 * `require()`, `import()` (dynamic, or a type query), with any quote; the package's own name as
 * its index.
 */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"`]((?:\.{1,2}(?:\/[^'"`]*)?)|@meshtraffic\/backstage-plugin-mesh-backend(?:\/[^'"`]*)?)['"`]/g,
    ),
  ].map(m =>
    m[1].startsWith(SELF)
      ? path.relative(path.dirname(file), path.join(SOURCE, 'index'))
      : m[1],
  );
}

describe('the backend layout', () => {
  it('has no module importing one in a folder above its own', () => {
    const upward: string[] = [];
    for (const file of sources(SOURCE)) {
      for (const spec of relativeImports(file)) {
        const target = path.resolve(path.dirname(file), spec);
        const [top] = path.relative(SOURCE, target).split(path.sep);
        if (TEST_ONLY.includes(top)) {
          upward.push(
            `${path.relative(SOURCE, file)} imports test helpers (${top}/)`,
          );
          continue;
        }
        if (layerOf(target) > layerOf(file))
          upward.push(
            `${path.relative(SOURCE, file)} imports ${path.relative(
              SOURCE,
              target,
            )}`,
          );
      }
    }
    expect(upward).toEqual([]);
  });
});
