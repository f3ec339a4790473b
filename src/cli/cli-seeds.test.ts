// What the seed studies need from the command line, end to end: a one-vs-rest net with one sigmoid output
// (seed 000) trains, its baselines are scored with its metrics, and predict / export-predictions read its single
// probability right; Keras's categorical loss trains on class labels; two single runs of different configs are
// two configs in `compare`; a closed pipe ends the output quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { loadBuiltin } from '../data/builtin/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-seeds-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
const file = (name: string, text: string) => {
  writeFileSync(path.join(work, name), text);
  return path.join(work, name);
};

const ONE_VS_REST = `name: three-vs-rest
seed: 1
data: { dataset: mnist, task: { oneVsRest: 3 }, subset: { total: 3000, stratify: true } }
model: { template: mlp, units: [16], activation: relu, outputActivation: sigmoid }
training: { optimizer: { name: adam, lr: 0.01 }, loss: binaryCrossentropy, metrics: [accuracy, precision, recall, f1], epochs: 4, batchSize: 64 }
baselines: [constant, uniform]
evaluateTest: true
`;

test('one-vs-rest with one sigmoid output: trains, baselines get its metrics, predict and export read P(3) right', async () => {
  const r = nnlab(['run', file('ovr.yaml', ONE_VS_REST), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = lastJson(r.stdout);
  const run = out.runs[0];
  assert.equal(run.status, 'completed', run.message);
  const layers = run.config.model.layers as { units?: number }[];
  assert.equal(layers[layers.length - 1].units, 1, 'a two-class sigmoid output has one unit');
  assert.ok(run.metrics.val.precision > 0.5, `precision ${run.metrics.val.precision}`);
  const constant = out.baselines.find((b: { name: string }) => b.name === 'constant');
  assert.equal(constant.predicts, 'not 3');
  assert.ok(Math.abs(constant.val.accuracy - 0.898) < 0.01, `constant accuracy ${constant.val.accuracy} is the share of non-threes`);
  assert.deepEqual([constant.val.precision, constant.val.recall, constant.val.f1], [0, 0, 0]);
  assert.match(r.stderr, /baseline constant \(always 'not 3'\): val accuracy 0\.89\d\d, precision 0\.0000, recall 0\.0000, f1 0\.0000/);
  assert.match(r.stderr, /dense_2 \(dense\)\s+\[1\]\s+17/, 'the model summary is printed');

  // export-predictions: P(3) decides the class, the two probabilities sum to 1, no blank rows.
  const csv = path.join(work, 'ovr.csv');
  const exp = nnlab(['export-predictions', String(run.id), '--split', 'val', '--out', csv]);
  assert.equal(exp.status, 0, exp.stderr);
  const [header, ...rows] = readFileSync(csv, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  assert.deepEqual(header, ['index', 'true', 'predicted', 'p(not 3)', 'p(3)']);
  let agree = 0;
  for (const [, truth, predicted, pNot, p3] of rows) {
    assert.ok(Math.abs(Number(pNot) + Number(p3) - 1) < 1e-4);
    assert.equal(predicted, Number(p3) > 0.5 ? '3' : 'not 3');
    if (truth === predicted) agree++;
  }
  assert.ok(Math.abs(agree / rows.length - run.metrics.val.accuracy) < 1e-9, 'the export agrees with the stored accuracy');

  // predict: real threes from the test set come out as '3' with P(3), not 'not 3 (100.0%)'.
  const { default: sharp } = await import('sharp');
  const { train, test: testSet } = loadBuiltin('mnist');
  train.x.dispose();
  train.y.dispose();
  const images = testSet.finalEvaluation((t) => {
    const labels = t.y.toNumbers();
    const picks = labels.flatMap((l, i) => (l === 3 ? [i] : [])).slice(0, 5);
    return picks.map((i) => Buffer.from(t.x.select(0, i).contiguous().toTypedArray() as Uint8Array));
  });
  testSet.dispose();
  const files = await Promise.all(images.map(async (px, k) => {
    const f = path.join(work, `three-${k}.png`);
    await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(f);
    return f;
  }));
  const p = nnlab(['predict', '--run', String(run.id), ...files, '--json']);
  assert.equal(p.status, 0, p.stderr);
  const predictions = lastJson(p.stdout).predictions as { class: string; probability: number; probabilities: Record<string, number> }[];
  for (const q of predictions) {
    assert.ok(Math.abs(q.probabilities['3'] + q.probabilities['not 3'] - 1) < 1e-5);
    assert.equal(q.class, q.probabilities['3'] > 0.5 ? '3' : 'not 3');
  }
  assert.ok(predictions.filter((q) => q.class === '3').length >= 4, JSON.stringify(predictions));
  assert.doesNotMatch(p.stderr, /NaN|undefined/);
});

test("Keras's categoricalCrossentropy trains on class labels; compare keeps two single runs of different configs apart", () => {
  const text = `seed: 2
data: { dataset: mnist, subset: { perClass: 30 } }
model: { template: mlp, units: [16] }
training: { loss: categoricalCrossentropy, optimizer: { name: sgd, lr: 0.1 }, epochs: 2 }
`;
  const a = nnlab(['run', file('cce.yaml', text), '--json']);
  assert.equal(a.status, 0, a.stderr);
  const b = nnlab(['run', file('cce.yaml', text), '--set', 'training.optimizer.lr=0.01', '--json']);
  assert.equal(b.status, 0, b.stderr);
  const [ra, rb] = [lastJson(a.stdout).runs[0], lastJson(b.stdout).runs[0]];
  assert.equal(ra.status, 'completed');
  assert.ok(ra.metrics.val.loss < 2.3, 'the loss went down');
  const cmp = nnlab(['compare', String(ra.id), String(rb.id), '--json']);
  assert.equal(cmp.status, 0, cmp.stderr);
  const configs = lastJson(cmp.stdout).configs as { label: string; runIds: number[] }[];
  assert.deepEqual(configs.map((c) => [c.label, c.runIds]), [['training.optimizer.lr=0.1', [ra.id]], ['training.optimizer.lr=0.01', [rb.id]]]);
});

test('a closed pipe (nnlab show N | head -1) ends the output without a stack trace', async () => {
  const runs = lastJson(nnlab(['runs', '--json']).stdout).runs as { id: number }[];
  const child = spawn(process.execPath, [cli, 'show', String(runs[0].id)], { cwd: work, env });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, err);
  assert.doesNotMatch(err, /EPIPE|\n\s+at /);
});

test('a collapsed net is flagged against the stored baselines in run, report and compare; the test set sees only the chosen config', () => {
  const study = file(
    'collapse.yaml',
    ONE_VS_REST.replace('epochs: 4', 'epochs: 2').replace('evaluateTest: true', 'evaluateTest: true\nstudy:\n  metric: val.precision\n  factors:\n    model.initializer: { glorot: glorotUniform, zeros: zeros }'),
  );
  const r = nnlab(['run', study, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.deepEqual(out.baselineCheck.configs, ['model.initializer=zeros'], 'all-zero weights collapse to "never a 3"');
  assert.equal(out.baselineCheck.metric, 'val.precision');
  assert.match(r.stderr, /initializer=zeros\s.*\sNO\s/);
  // Only the config chosen on validation precision saw the test set.
  const tested = out.runs.filter((x: { metrics: { test?: unknown } }) => x.metrics.test !== undefined).map((x: { label: string }) => x.label);
  assert.deepEqual(tested, ['model.initializer=glorot']);
  assert.equal(out.finalTest.label, 'model.initializer=glorot');
  const rep = nnlab(['report', String(out.study), '--out', path.join(work, 'collapse-report')]);
  assert.equal(rep.status, 0, rep.stderr);
  const md = readFileSync(path.join(work, 'collapse-report', 'summary.md'), 'utf8');
  assert.match(md, /\| Beats best baseline \| yes \| NO \|/);
  assert.match(md, /The best baseline on Val precision is uniform/);
  const cmp = lastJson(nnlab(['compare', `study:${out.study}`, '--json']).stdout);
  assert.deepEqual([cmp.comparison.metric, cmp.baseline.configs], ['val.precision', ['model.initializer=zeros']]);
});
