// Running bench workers: the nnlab side (a node worker in its own process, so its peak RSS is its own) and the
// PyTorch side (python3 with Debian's torch), alternately, several rounds; each side keeps its best round, so
// a moment of load on the machine does not decide a ratio.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { torchPython } from '../src/testing/torch-oracle.js';
import { benchDir } from './common.js';

export type Figures = Record<string, unknown> & { peakRssMB: number };

function lastJson<T>(out: string, what: string): T {
  const lines = out.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(`${what} printed no JSON result:\n${out}`);
  }
}

export function runWorker(worker: string, args: Record<string, unknown>, env: Record<string, string> = {}): Figures {
  const file = path.join(benchDir, '..', 'dist', 'bench', 'workers', `${worker}.js`);
  const r = spawnSync(process.execPath, [file, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`nnlab worker ${worker} failed: ${r.stderr}`);
  return lastJson<Figures>(r.stdout, worker);
}

/** Runs bench/py/<script> with Debian's python3-torch; its last stdout line is the JSON answer. */
export function runPython<T = Figures>(script: string, args: Record<string, unknown>, env: Record<string, string> = {}): T {
  const r = spawnSync(torchPython(), [path.join(benchDir, 'py', script), JSON.stringify(args)], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    cwd: path.join(benchDir, 'py'),
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`PyTorch peer ${script} failed: ${r.stderr}`);
  return lastJson<T>(r.stdout, script);
}

/** Best of `rounds` alternating runs per side, by `key` (higher is better). */
export function bestOf(rounds: number, key: string, sides: Record<string, () => Figures>): Record<string, Figures> {
  const best: Record<string, Figures> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(sides)) {
      const f = run();
      if (!best[name] || (f[key] as number) > (best[name][key] as number)) best[name] = f;
    }
  }
  return best;
}
