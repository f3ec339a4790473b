// Shared bench helpers: timing, the PyTorch peer (run in the same bench run), and the result table.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { torchPython } from '../src/testing/torch-oracle.js';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');

/** Median of `repeats` runs of fn, which returns seconds for its own measured part. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Runs bench/py/<script> with Debian's python3-torch and returns its last stdout line as JSON. */
export function runPeer<T>(script: string, args: Record<string, unknown>): T {
  const r = spawnSync(torchPython(), [path.join(benchDir, 'py', script), JSON.stringify(args)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env },
  });
  if (r.status !== 0) throw new Error(`bench peer ${script} failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

export interface Row {
  bench: string;
  nnlab: string;
  peer: string;
  ratio: string;
  goal: string;
}

export function printTable(title: string, rows: Row[]): void {
  const header: Row = { bench: 'bench', nnlab: 'nnlab', peer: 'PyTorch', ratio: 'ratio', goal: 'goal' };
  const all = [header, ...rows];
  const keys = Object.keys(header) as (keyof Row)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<keyof Row, number>;
  console.log(`\n${title}`);
  for (const [i, r] of all.entries()) {
    console.log(`| ${keys.map((k) => r[k].padEnd(width[k])).join(' | ')} |`);
    if (i === 0) console.log(`|${keys.map((k) => '-'.repeat(width[k] + 2)).join('|')}|`);
  }
}
