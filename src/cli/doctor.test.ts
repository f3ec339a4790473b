// `nnlab doctor`: facts as text and as one JSON line; a missing addon is a clear error and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');

function nnlab(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

test('doctor --json ends with one JSON object holding the required fields', () => {
  const r = nnlab(['doctor', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const report = JSON.parse(lines[lines.length - 1]);
  assert.match(report.libtorch.version, /^\d+\.\d+\.\d+/);
  assert.match(report.libtorch.path, /libtorch/);
  assert.ok(report.blas.name);
  for (const k of ['intraOp', 'interOp']) assert.ok(Number.isInteger(report.threads[k]) && report.threads[k] >= 1, k);
  assert.ok(report.threads.blas === null || report.threads.blas >= 1);
  assert.equal(typeof report.cuda.available, 'boolean');
  assert.equal(report.datasets.mnist.installed, true);
  assert.match(r.stdout, /^libtorch\s+\d/m);
  assert.deepEqual(Object.keys(report.sparseInput).sort(), ['enabled', 'kernels']);
  assert.equal(report.sparseInput.enabled, process.env.NNLAB_SPARSE_INPUT !== '0');
  assert.match(report.sparseInput.kernels, /^(avx512|avx2|generic)$/);
  const off = nnlab(['doctor'], { NNLAB_SPARSE_INPUT: '0' });
  assert.match(off.stdout, /^sparse\s+off \(NNLAB_SPARSE_INPUT=0\)$/m);
});

test('a missing addon build: clear message, exit 1, no stack trace', () => {
  const r = nnlab(['doctor'], { NNLAB_ADDON: '/nonexistent/nnlab.node' });
  assert.equal(r.status, 1);
  assert.match(r.stdout + r.stderr, /native addon is not built: \/nonexistent\/nnlab\.node does not exist/);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
});

test('usage errors exit 2; --help works on every command', () => {
  assert.equal(nnlab(['no-such-command']).status, 2);
  const help = nnlab(['doctor', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--json/);
});
