// Hostile or mistaken input to the nnlab command is refused with one line and exit 2, before any work: an
// experiment file that is /dev/zero, a FIFO or an alias bomb, a seed past what a double holds, a layer too large
// for this machine's memory, --workers 0, and a store in a folder that does not exist (never created empty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-hostile-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };

function nnlab(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
}
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

/** Exit 2 and stderr exactly one line `nnlab: <matching pattern>`: no stack trace, no internal error. */
function refused(r: ReturnType<typeof nnlab>, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /internal error/);
}

const TINY = 'data: { dataset: mnist, subset: { perClass: 10 } }\nmodel: { template: mlp, units: [8] }\ntraining: { epochs: 1 }\n';

test('run refuses an experiment file that is not a regular file (/dev/zero, a FIFO) at once', () => {
  refused(nnlab(['run', '/dev/zero']), /^nnlab: \/dev\/zero: the experiment file is a character device, not a regular file; only regular files are read$/);
  const fifo = path.join(work, 'fifo.yaml');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(nnlab(['run', fifo]), /fifo\.yaml: the experiment file is a FIFO \(named pipe\), not a regular file/);
});

test('a YAML alias bomb is one line naming the file and line, exit 2', () => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
  const bomb = file('bomb.yaml', levels.join('\n') + '\n');
  refused(nnlab(['run', bomb]), new RegExp(`^nnlab: ${bomb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid YAML: its aliases expand to too much data`));
});

test('seed: 1e300 is blamed on the seed, with the file and line', () => {
  refused(nnlab(['run', file('seed.yaml', TINY + 'seed: 1e300\n')]), /seed\.yaml:4: seed: must be <= 9007199254740991, got 1e\+300$/);
});

test('a layer too large for this machine is refused before building, naming the layer (exit 2, not libtorch\'s exit 1)', () => {
  const huge = file('huge.yaml', TINY.replace('units: [8]', 'units: [1000000000]'));
  refused(nnlab(['run', huge]), /huge\.yaml: experiment: model\.layers\[1\]: layer 'dense_1' \(dense\) would have 785,000,000,000 weights \(2924\.4 GiB as float32\), more than this machine's memory \([\d.]+ GiB\); use fewer units or filters$/);
});

test('--workers 0 is an error; leaving the flag out runs in this process', () => {
  const tiny = file('tiny.yaml', TINY);
  refused(nnlab(['run', tiny, '--workers', '0']), /^nnlab: --workers: expected a number of worker processes from 1 to 256, got '0'$/);
});

test('a store in a folder that does not exist is refused (run, runs, ui), not created; the default .nnlab/ is', () => {
  const missing = path.join(work, 'no-such-folder', 'runs.db');
  for (const args of [['runs'], ['ui', '--port', '0'], ['run', file('tiny2.yaml', TINY)]]) {
    refused(nnlab([...args, '--store', missing]), /--store: cannot open run store sqlite:.*no-such-folder\/runs\.db: the folder .*no-such-folder does not exist \(a typo\?\); create it first$/);
  }
  refused(nnlab(['runs'], { NNLAB_STORE: `sqlite:${missing}` }), /the folder .*no-such-folder does not exist/);
  assert.ok(!existsSync(path.dirname(missing)), 'nothing was created');
  // nnlab's own folder (NNLAB_HOME, default .nnlab) is made on first use, as before.
  const home = path.join(work, 'fresh-home', '.nnlab');
  const r = nnlab(['runs', '--json'], { NNLAB_HOME: home });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(path.join(home, 'runs.db')));
});
