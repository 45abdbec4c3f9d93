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
];

const SOURCE = __dirname;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name.startsWith('__') || entry.name === 'testUtils'
        ? []
        : sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)
      ? [full]
      : [];
  });
}

/** The layer of a file: its top folder's place, or above every folder for a file at the root. */
function layerOf(file: string): number {
  const [top, ...rest] = path.relative(SOURCE, file).split(path.sep);
  if (!rest.length) return LAYERS.length;
  const at = LAYERS.indexOf(top);
  if (at < 0) throw new Error(`${top}/ is in no layer: add it to LAYERS`);
  return at;
}

function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map(
    m => m[1],
  );
}

describe('the backend layout', () => {
  it('has no module importing one in a folder above its own', () => {
    const upward: string[] = [];
    for (const file of sources(SOURCE)) {
      for (const spec of relativeImports(file)) {
        const target = path.resolve(path.dirname(file), spec);
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
