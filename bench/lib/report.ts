import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Figure } from './figures';

const root = path.resolve(__dirname, '../..');

/** docs/benchmarks.md: the machine, the date, every figure with its ratio, and what bounds a missed target. */
export function writeReport(figures: Figure[]): string {
  const file = path.join(root, 'docs', 'benchmarks.md');
  const cpus = os.cpus();
  const rows = figures.map(f => {
    const ratio =
      f.ratio === undefined ? '' : `${f.ratio.toFixed(2)} x ${f.against}`;
    const target = f.target
      ? `${f.target} (${f.met ? 'met' : '**missed**'})`
      : '';
    return `| ${f.name} | ${f.value} | ${ratio} | ${target} | ${
      f.note ?? ''
    } |`;
  });
  const bounds = fs.readFileSync(path.join(__dirname, 'bounds.md'), 'utf8');
  const text = [
    '# Benchmarks',
    '',
    '`npm run bench` writes this file; every ratio is against a baseline or limit measured in the same run.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(
      os.totalmem() /
      2 ** 30
    ).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${
      process.versions.node
    }`,
    '',
    '| figure | value | ratio | target | note |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    bounds.trim(),
    '',
  ].join('\n');
  fs.writeFileSync(file, text);
  return file;
}
