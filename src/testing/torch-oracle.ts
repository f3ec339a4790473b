// PyTorch as the test oracle: runs a Python script with Debian's python3-torch and returns its JSON answer.
// Tests use it to compare values and gradients on the same inputs. A missing torch is a test failure with
// the fix, never a skip.
import { spawnSync } from 'node:child_process';
import { mulberry32 } from '../data/random.js';

let found: string | undefined;

/** A Python that can import torch: NNLAB_PYTHON, then Debian's /usr/bin/python3, then python3 on PATH. */
export function torchPython(): string {
  if (found) return found;
  const candidates = [process.env.NNLAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return (found = py);
  }
  throw new Error(
    `no Python with torch found (tried ${candidates.join(', ')}); install the oracle with \`bash scripts/setup.sh --dev\` (Debian python3-torch)`,
  );
}

/**
 * Runs `script` with `input` bound to the parsed JSON input; the script sets `output`, which is returned.
 * torch, torch.nn.functional as F and math are imported; torch runs with one thread, like the tests.
 */
export function runTorch<T = unknown>(script: string, input: unknown = null, timeoutMs = 120_000): T {
  const prelude = [
    'import json, sys, math',
    'import torch',
    'import torch.nn.functional as F',
    'torch.set_num_threads(1)',
    'input = json.loads(sys.stdin.read())',
    'output = None',
  ].join('\n');
  const epilogue = '\nsys.stdout.write("\\n" + json.dumps(output) + "\\n")\n';
  const r = spawnSync(torchPython(), ['-c', `${prelude}\n${script}\n${epilogue}`], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`PyTorch oracle failed (${r.status}): ${r.stderr || r.error?.message}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** A small seeded PRNG for test inputs that both sides share (the data layer's mulberry32). */
export const seededRandom = mulberry32;

/** `n` values uniform in [lo, hi), rounded to float32 so both sides see identical numbers. */
export function randomValues(rand: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from(Float32Array.from({ length: n }, () => lo + (hi - lo) * rand()));
}

/** Largest |a - b| / (atol + rtol * |b|); <= 1 means close. */
export function closeness(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (atol + rtol * Math.abs(expected[i]));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}
