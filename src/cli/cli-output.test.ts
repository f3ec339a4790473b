// What nnlab writes to a terminal or pipe: a reader that goes away (`nnlab run x | head -1`) does not end the
// training, and names from hostile files (ESC, BEL in study names, factor levels, class names) reach the
// terminal escaped, never raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-output-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab'), NNLAB_CACHE: path.join(work, 'cache') };
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

test('a reader that closes after the first line does not stop the training: the run completes, all epochs stored', async () => {
  const file = path.join(work, 'pipe.yaml');
  writeFileSync(
    file,
    `name: pipe
seed: 3
data: { dataset: mnist, subset: { perClass: 30 }, split: { fraction: 0.2, stratify: true } }
model: { template: mlp, units: [16], activation: relu }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 4, batchSize: 32 }
evaluateTest: true
`,
  );
  const store = path.join(work, 'pipe.db');
  // `nnlab run pipe.yaml --store pipe.db | head -1`: stdout is a pipe whose reader goes away after one line.
  const child = spawn(process.execPath, [cli, 'run', file, '--no-bar', '--store', store], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  let first = '';
  child.stdout.on('data', (d: Buffer) => {
    first += d.toString();
    if (first.includes('\n')) child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.ok(child.stdout.destroyed, `the reader closed after the first line: ${first}`);
  assert.equal(code, 0, err);
  assert.equal(err, '', 'a closed pipe is quiet');
  const s = await openStore(store);
  const runs = await s.listRuns();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'completed');
  assert.equal((await s.getEpochs(runs[0].id)).length, 4);
  assert.equal(typeof runs[0].metrics.test?.accuracy, 'number', 'the final test evaluation ran too');
  await s.close();
});

test('output that cannot be written (stdout on a full disk) is said once on stderr and exits 1, not 0', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, () => {
  const full = openSync('/dev/full', 'w');
  const r = spawnSync(process.execPath, [cli, 'runs', '--store', path.join(work, 'pipe.db')], { cwd: work, env, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
  closeSync(full);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^nnlab: cannot write to stdout \(ENOSPC[^\n]*\n$/);
});

/** Every control character but the line break: what must not reach a terminal from a name. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('control characters in study names, factor levels, class names and labels are shown escaped by run, runs, show, compare, predict, report', async () => {
  const { default: sharp } = await import('sharp');
  // An image folder whose class folders are named with ESC and BEL.
  const classes = ['c\u001b[31mat', 'd\u0007og'];
  for (const split of ['train', 'test']) {
    for (const [k, cls] of classes.entries()) {
      const dir = path.join(work, 'pets', split, cls);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < (split === 'train' ? 8 : 2); i++) {
        const v = k === 0 ? 220 - i : 30 + i;
        await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: v, g: 60, b: 255 - v } } }).png().toFile(path.join(dir, `${i}.png`));
      }
    }
  }
  const image = path.join(work, 'new\u001b]0;title\u0007.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 220, g: 60, b: 35 } } }).png().toFile(image);
  // YAML's own escapes: \e is ESC, \a is BEL.
  writeFileSync(
    path.join(work, 'names.yaml'),
    `name: "ev\\e]0;pwned\\ail"
seed: 2
data: { dataset: { imageFolder: { path: pets, size: [8, 8], color: rgb } }, split: { fraction: 0.25 } }
model: { template: mlp, units: [8] }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 1, batchSize: 4 }
study:
  factors:
    training.optimizer: { "ad\\e[2Jam": { name: adam, lr: 0.01 }, "s\\agd": { name: sgd, lr: 0.1 } }
`,
  );
  const store = path.join(work, 'names.db');
  const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args, '--store', store], { cwd: work, env, encoding: 'utf8' });
  const shown = (what: string, r: ReturnType<typeof nnlab>, escaped: RegExp) => {
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    const human = r.stdout + r.stderr;
    assert.doesNotMatch(human, RAW_CONTROL, `${what}: a raw control character reached the terminal`);
    assert.match(human, escaped, `${what}: the name is shown, escaped`);
  };
  const run = nnlab(['run', 'names.yaml', '--no-bar', '--json']);
  // The JSON line keeps the names exact (JSON escapes them); the human lines show them escaped.
  shown('run', { ...run, stdout: '' }, /ad\\x1b\[2Jam/);
  const result = lastJson(run.stdout);
  assert.ok(result.runs.some((r: { config: { classes?: string[] } }) => r.config.classes?.includes('c\u001b[31mat')), 'stored names exact');
  const id = String(result.runs[0].id);
  shown('runs', nnlab(['runs']), /s\\x07gd/);
  shown('show', nnlab(['show', id]), /ad\\x1b\[2Jam/);
  shown('compare', nnlab(['compare', `study:${result.study}`]), /s\\x07gd/);
  shown('predict', nnlab(['predict', '--run', id, image]), /new\\x1b\]0;title\\x07\.png: (c\\x1b\[31mat|d\\x07og) \(/);
  shown('report', nnlab(['report', String(result.study), '--out', path.join(work, 'names-report')]), /ev\\x1b\]0;pwned\\x07il/);
});
