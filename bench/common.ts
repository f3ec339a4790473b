// Shared bench helpers: timing and the result table (peers.ts runs the PyTorch side).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export interface Row {
  bench: string;
  nnlab: string;
  peer: string;
  ratio: string;
  goal: string;
}

/** `header` renames columns: a table comparing nnlab with itself names its peer column (e.g. Sequential). */
export function printTable(title: string, rows: Row[], header: Partial<Row> = {}): void {
  const head: Row = { bench: 'bench', nnlab: 'nnlab', peer: 'PyTorch', ratio: 'ratio', goal: 'goal', ...header };
  const all = [head, ...rows];
  const keys = Object.keys(head) as (keyof Row)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<keyof Row, number>;
  console.log(`\n${title}`);
  for (const [i, r] of all.entries()) {
    console.log(`| ${keys.map((k) => r[k].padEnd(width[k])).join(' | ')} |`);
    if (i === 0) console.log(`|${keys.map((k) => '-'.repeat(width[k] + 2)).join('|')}|`);
  }
}
