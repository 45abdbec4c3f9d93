import { decodedMappings, TraceMap } from '@jridgewell/trace-mapping';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Figure } from './lib/figures';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'packages/app/dist/static');
const LIMIT_BYTES = 150 * 1024;
const isMesh = (source: string) =>
  /plugins\/mesh(-common)?\/src\//.test(source);

/** Minified bytes per source of one asset, from its source map: each segment runs to the next. */
function bytesBySource(file: string): Map<string, number> {
  const code = fs.readFileSync(file, 'utf8').split('\n');
  const map = new TraceMap(fs.readFileSync(`${file}.map`, 'utf8'));
  const out = new Map<string, number>();
  decodedMappings(map).forEach((segments, line) => {
    segments.forEach((segment, i) => {
      if (segment.length < 4) return;
      const [column, sourceIndex] = segment as number[];
      const end =
        i + 1 < segments.length
          ? segments[i + 1][0]
          : code[line]?.length ?? column;
      const source = map.sources[sourceIndex] ?? '';
      out.set(source, (out.get(source) ?? 0) + Math.max(0, end - column));
    });
  });
  return out;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * The mesh plugin's share of the production app bundle, from a real build (`yarn build` in
 * packages/app; BENCH_SKIP_BUILD=1 reuses an existing one). Each asset's gzip size is shared out
 * by its minified bytes per source (source maps); the plugin's share counts its own sources
 * (plugins/mesh, plugins/mesh-common). The chunks that carry its code, whole, are an upper bound
 * that includes what they share with the rest of the app.
 */
export async function run(): Promise<Figure[]> {
  if (!process.env.BENCH_SKIP_BUILD || !fs.existsSync(dist)) {
    const build = spawnSync('yarn', ['build'], {
      cwd: path.join(root, 'packages/app'),
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('the app build failed');
  }
  let total = 0;
  let own = 0;
  let chunks = 0;
  for (const name of fs
    .readdirSync(dist)
    .filter(
      f => f.endsWith('.js') && fs.existsSync(path.join(dist, `${f}.map`)),
    )) {
    const file = path.join(dist, name);
    const gzip = zlib.gzipSync(fs.readFileSync(file)).length;
    total += gzip;
    const bytes = bytesBySource(file);
    const all = [...bytes.values()].reduce((a, b) => a + b, 0);
    const mesh = [...bytes]
      .filter(([s]) => isMesh(s))
      .reduce((a, [, b]) => a + b, 0);
    if (mesh > 0) {
      own += all ? (gzip * mesh) / all : 0;
      chunks += gzip;
    }
  }
  return [
    {
      name: 'mesh plugin code in the production app bundle (gzip, its share of each asset)',
      value: kb(own),
      ratio: own / LIMIT_BYTES,
      against: `limit ${kb(LIMIT_BYTES)}`,
      target: '< 1',
      met: own < LIMIT_BYTES,
      note: `${((100 * own) / total).toFixed(1)} % of the app's ${kb(
        total,
      )} gzip`,
    },
    {
      name: 'assets that carry mesh plugin code, whole (gzip, upper bound)',
      value: kb(chunks),
      ratio: chunks / LIMIT_BYTES,
      against: `limit ${kb(LIMIT_BYTES)}`,
      note: 'includes code those chunks share with the app; zod, yaml and diff sit in chunks the app shares',
    },
  ];
}
