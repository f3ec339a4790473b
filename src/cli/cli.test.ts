// The nnlab command end to end on a tiny experiment: run (single and study), runs, show, compare, report,
// predict, export-predictions; bad input exits 2 before training and writes nothing; Ctrl-C interrupts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };

function nnlab(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 300_000 });
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

const TINY = `name: tiny
seed: 3
data:
  dataset: mnist
  subset: { perClass: 30 }
  split: { fraction: 0.2, stratify: true }
model: { template: mlp, units: [16], activation: relu }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 2, batchSize: 32, metrics: [accuracy] }
baselines: [majority]
evaluateTest: true
`;
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

test('run: one configuration, stored, with the --json result the lab promises', () => {
  const r = nnlab(['run', file('tiny.yaml', TINY), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.equal(typeof out.study, 'number', 'a single run is a study of one run');
  assert.equal(out.runs.length, 1);
  const run = out.runs[0];
  for (const k of ['id', 'status', 'config', 'seed', 'epochs', 'wallTimeS', 'trainSamplesPerS', 'metrics']) assert.ok(k in run, k);
  assert.equal(run.status, 'completed');
  assert.equal(run.epochs, 2);
  assert.ok(run.trainSamplesPerS > 0);
  for (const split of ['train', 'val', 'test']) assert.equal(typeof run.metrics[split].accuracy, 'number');
  assert.equal(out.baselines[0].name, 'majority');
  assert.match(r.stderr, /Epoch 2\/2 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ - val_loss/);
  const shown = nnlab(['show', String(run.id), '--json']);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stderr, new RegExp(`run ${run.id} \\(study ${out.study}, tiny\\): completed`), 'the study named after the file');
  const s = lastJson(shown.stdout);
  assert.equal(s.epochs.length, 2);
  assert.equal(s.artifacts[0].kind, 'weights');
  // Keras's model.summary(), rebuilt from the stored config: layers, output shapes, parameter counts.
  assert.match(shown.stderr, /Layer \(type\)\s+Output shape\s+Params/);
  assert.match(shown.stderr, /Total params: [\d,]+ \(trainable [\d,]+, non-trainable 0\)/);
});

test('run: a study with repeats, then runs, compare, report, export-predictions and predict', () => {
  const study = file('study.yaml', `${TINY}repeats: 2\nstudy:\n  factors:\n    model.activation: [relu, tanh]\n`);
  const r = nnlab(['run', study, '--set', 'training.epochs=1', '--json', '--report', path.join(work, 'report')]);
  assert.equal(r.status, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.equal(typeof out.study, 'number');
  assert.equal(out.runs.length, 4);
  assert.ok(out.runs.every((x: { epochs: number }) => x.epochs === 1), '--set training.epochs=1 applied');
  assert.deepEqual(out.summary.map((c: { label: string; runIds: number[] }) => [c.label, c.runIds.length]), [['model.activation=relu', 2], ['model.activation=tanh', 2]]);
  for (const c of out.summary) assert.equal(c.metrics['val.accuracy'].n, 2);
  assert.ok(existsSync(path.join(work, 'report', 'report.html')));
  assert.ok(existsSync(path.join(work, 'report', 'plots', 'overlay.png')));

  const runs = nnlab(['runs', '--study', String(out.study), '--json']);
  assert.equal(lastJson(runs.stdout).runs.length, 4);
  const cmp = nnlab(['compare', `study:${out.study}`, '--json']);
  assert.equal(cmp.status, 0, cmp.stderr);
  assert.equal(lastJson(cmp.stdout).configs.length, 2);
  const rep = nnlab(['report', String(out.study), '--out', path.join(work, 'report2')]);
  assert.equal(rep.status, 0, rep.stderr);
  assert.ok(readFileSync(path.join(work, 'report2', 'summary.md'), 'utf8').includes('|'));

  const csv = path.join(work, 'preds.csv');
  const exp = nnlab(['export-predictions', String(out.runs[0].id), '--split', 'test', '--out', csv]);
  assert.equal(exp.status, 0, exp.stderr);
  const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'index,true,predicted,p(0),p(1),p(2),p(3),p(4),p(5),p(6),p(7),p(8),p(9)');
  assert.equal(lines.length, 10_001);
});

test('predict: class name and probability for image files', async () => {
  const { default: sharp } = await import('sharp');
  const img = path.join(work, 'digit.png');
  const pixels = Buffer.alloc(28 * 28);
  for (let i = 0; i < 28; i++) pixels[i * 28 + 14] = 255; // a vertical stroke: a "1"
  await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(img);
  const runs = lastJson(nnlab(['runs', '--json']).stdout).runs;
  const id = String(runs[0].id);
  const model = lastJson(nnlab(['show', id, '--json']).stdout).artifacts.find((a: { kind: string }) => a.kind === 'weights').path as string;
  assert.ok(model.startsWith(path.join(work, '.nnlab', 'artifacts')), `weights in the store's own folder: ${model}`);
  const r = nnlab(['predict', '--run', id, img, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const p = lastJson(r.stdout).predictions[0];
  assert.ok(/^[0-9]$/.test(p.class));
  assert.ok(p.probability > 0 && p.probability <= 1);
  assert.ok(Math.abs(Object.values(p.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.deepEqual(lastJson(nnlab(['predict', '--model', model, img, '--json']).stdout).predictions, lastJson(r.stdout).predictions);
  const bad = nnlab(['predict', '--model', model, path.join(work, 'missing.png')]);
  assert.equal(bad.status, 2, 'an image file that is not there is a usage error');
  assert.match(bad.stderr, /missing\.png: no such image file/);
  assert.equal(nnlab(['predict', img]).status, 2, 'one of --run or --model');
  // Weights changed after they were saved (another store's run, a bad copy) are refused, not used.
  const weights = path.join(model, 'weights.safetensors');
  const bytes = readFileSync(weights);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(weights, bytes);
  const corrupt = nnlab(['predict', '--run', id, img]);
  assert.equal(corrupt.status, 1);
  assert.match(corrupt.stderr, new RegExp(`the weights of run ${id} at .* do not match their sha256`));
  assert.doesNotMatch(corrupt.stderr, /\n\s+at /);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(weights, bytes);
});

test('two stores keep their weights apart: run 1 of one store and run 1 of another are two folders', () => {
  const paths = ['one.db', 'two.db'].map((db) => {
    const storeArg = path.join(work, db);
    const r = nnlab(['run', file('tiny.yaml', TINY), '--store', storeArg, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const id = String(lastJson(r.stdout).runs[0].id);
    return lastJson(nnlab(['show', id, '--store', storeArg, '--json']).stdout).artifacts[0].path as string;
  });
  assert.match(paths[0], /run-1$/);
  assert.match(paths[1], /run-1$/);
  assert.notEqual(paths[0], paths[1]);
});

test('bad input exits 2 before any training, naming file, line and field, and writes nothing', async () => {
  const storeFile = path.join(work, 'bad.db');
  const cases: [string, string[], RegExp][] = [
    ['invalid YAML', ['run', file('a.yaml', 'name: [unclosed\n')], /a\.yaml:\d+: .*invalid YAML/],
    ['unknown field', ['run', file('b.yaml', TINY.replace('batchSize', 'batchSise'))], /b\.yaml:8: training\.batchSise: .*did you mean 'batchSize'/],
    ['study path that does not exist', ['run', file('c.yaml', `${TINY}study:\n  factors:\n    model.activaton: [relu]\n`)], /c\.yaml:\d+: .*model\.activaton/],
    ['wrong type', ['run', file('d.yaml', TINY.replace('epochs: 2', 'epochs: two'))], /d\.yaml:8: training\.epochs/],
    ['bad override path', ['run', file('e.yaml', TINY), '--set', 'training.epoch=3'], /training\.epoch/],
    ['store that cannot connect', ['run', file('f.yaml', TINY), '--store', 'postgres://nnlab:secret@127.0.0.1:1/x'], /--store: cannot connect .*127\.0\.0\.1:1/],
  ];
  for (const [what, args, message] of cases) {
    const r = nnlab([...args, ...(args.includes('--store') ? [] : ['--store', storeFile])]);
    assert.equal(r.status, 2, `${what}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
    assert.doesNotMatch(r.stderr, /Epoch 1/, `${what}: no training`);
  }
  const blocked = path.join(work, 'blocked');
  mkdirSync(blocked);
  writeFileSync(path.join(blocked, 'someone-elses-file'), 'x');
  const r = nnlab(['run', file('g.yaml', TINY), '--report', blocked, '--store', storeFile]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--report: cannot write the report to .*blocked/);
  const store = await openStore(storeFile);
  assert.deepEqual(await store.listRuns(), [], 'nothing half-written in the store');
  await store.close();
  chmodSync(blocked, 0o755);
});

test('Ctrl-C marks the running run interrupted, keeps its epochs, exits 1', async () => {
  const long = file('long.yaml', TINY.replace('epochs: 2', 'epochs: 500').replace('perClass: 30', 'perClass: 200'));
  const child = spawn(process.execPath, [cli, 'run', long, '--json', '--no-bar'], { cwd: work, env });
  let err = '';
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      err += d;
      if (/Epoch 3\/500/.test(err)) resolve();
    });
  });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, err);
  const run = lastJson(out).runs[0];
  assert.equal(run.status, 'interrupted');
  assert.ok(run.epochs >= 3 && run.epochs < 500);
  const shown = lastJson(nnlab(['show', String(run.id), '--json']).stdout);
  assert.equal(shown.run.status, 'interrupted');
  assert.ok(shown.epochs.length >= 3);
});
