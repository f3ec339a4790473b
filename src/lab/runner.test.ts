// The runner on its own: a study leaves no tensor behind, a diverged cell is recorded as such while the other
// cells run, and preflight rejects a model that does not fit the data before anything is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { liveTensors } from '../tensor/index.js';
import { openStore } from '../store/index.js';
import { parseExperiment } from './experiment/index.js';
import { completeModel, runExperiment } from './runner.js';
import { CLASSES } from './experiment/templates.js';
import type { RunSpec } from './types.js';
import type { PreparedData } from './data-prep.js';

const quiet = new Writable({ write: (_c, _e, done) => done() }) as NodeJS.WritableStream;

const STUDY = `name: runner-test
seed: 2
data: { dataset: mnist, subset: { perClass: 20 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [8] }
training: { optimizer: { name: sgd, lr: 0.1 }, epochs: 2, batchSize: 25 }
study: { factors: { training.optimizer.lr: [0.1, 1.0e+30] } }
`;

test('a study: the diverged cell is recorded, the other completes, and no tensor is left behind', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-runner-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  const base = liveTensors().tensors;
  const outcome = await runExperiment(parseExperiment(STUDY, null), { store, artifactsDir: path.join(dir, 'runs'), stream: quiet, bar: false });
  assert.equal(liveTensors().tensors, base, 'every tensor of the study was freed');
  const statuses = outcome.runs.map((r) => r.record.status);
  assert.deepEqual(statuses, ['completed', 'diverged']);
  assert.match(outcome.runs[1].record.message!, /loss is (NaN|Infinity) at epoch 1, batch \d+/);
  const stored = await store.listRuns({ studyId: outcome.studyId! });
  assert.deepEqual(stored.map((r) => r.status), ['completed', 'diverged']);
  assert.equal((await store.getEpochs(stored[0].id)).length, 2);
  await store.close();
});

test('preflight: a model that does not fit the data fails before anything is stored', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-runner-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  const base = liveTensors().tensors;
  const bad = STUDY.replace('model: { template: mlp, units: [8] }', 'model: { layers: [ { type: dense, units: classes, activation: softmax } ] }');
  await assert.rejects(
    runExperiment(parseExperiment(bad, 'bad.yaml'), { store, artifactsDir: path.join(dir, 'runs'), stream: quiet }),
    /model: layer 'dense_1' \(dense\): input \[1, 28, 28\] does not fit: dense expects \[features\]; add a flatten layer/,
  );
  assert.deepEqual(await store.listRuns(), []);
  assert.deepEqual(await store.listStudies(), []);
  assert.equal(liveTensors().tensors, base);
  await store.close();
});

test('preflight runs a first batch through every distinct config: a metric or an output that does not fit exits before any run', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-runner-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  const base = liveTensors().tensors;
  const cases: [string, RegExp][] = [
    [STUDY.replace('epochs: 2', 'epochs: 2, metrics: [accuracy, { name: precision, average: binary }]'), /bad\.yaml: study cell 1 \(.*\): a first training batch fails, so every run would: precision: average 'binary' needs two classes, predictions \[25, 10\] have 10/],
    [
      STUDY.replace('model: { template: mlp, units: [8] }', 'model: { layers: [ { type: flatten }, { type: dense, units: 5, activation: softmax } ] }'),
      /a first training batch fails, so every run would: .*\(model input \[1, 28, 28\], output \[5\]; loss sparseCategoricalCrossentropy; labels of 10 classes\)/,
    ],
  ];
  for (const [text, message] of cases) {
    await assert.rejects(runExperiment(parseExperiment(text, 'bad.yaml'), { store, artifactsDir: path.join(dir, 'runs'), stream: quiet }), message);
  }
  assert.deepEqual(await store.listRuns(), []);
  assert.equal(liveTensors().tensors, base);
  await store.close();
});

test('fixed augmentation steps (torchvision Resize) apply to every split: the model takes the resized input', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-runner-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  const text = STUDY.replace("split: { fraction: 0.25 } }", "split: { fraction: 0.25 }, augment: [{ name: RandomRotation, degrees: 2 }, RandomHorizontalFlip, { name: Resize, size: [14, 14] }] }")
    .replace(/study: .*\n/, '')
    .concat('evaluateTest: true\n');
  const outcome = await runExperiment(parseExperiment(text, null), { store, artifactsDir: path.join(dir, 'runs'), stream: quiet, bar: false });
  const run = outcome.runs[0].record;
  assert.equal(run.status, 'completed', run.message ?? '');
  assert.deepEqual((run.config as { model: { inputShape: number[] } }).model.inputShape, [1, 14, 14]);
  assert.equal(typeof run.metrics.test?.accuracy, 'number', 'the test set was resized too');
  await store.close();
});

test("the output layer's units: one for a two-class sigmoid or a non-softmax binaryCrossentropy output, never one softmax unit", () => {
  const units = (activationName: string | undefined, loss: string, classes = ['no', 'yes']) => {
    const spec = { model: { layers: [{ type: 'dense', units: CLASSES, ...(activationName ? { activation: activationName } : {}) }] }, training: { loss: { name: loss } } } as unknown as RunSpec;
    const layers = completeModel(spec, { classes, inputShape: [4] } as unknown as PreparedData).layers;
    return layers[layers.length - 1].units;
  };
  assert.equal(units('sigmoid', 'binaryCrossentropy'), 1);
  assert.equal(units('sigmoid', 'meanSquaredError'), 1);
  assert.equal(units('linear', 'binaryCrossentropy'), 1);
  assert.equal(units('softmax', 'binaryCrossentropy'), 2, 'a softmax over one unit would always say 1.0');
  assert.equal(units('softmax', 'sparseCategoricalCrossentropy'), 2);
  assert.equal(units('sigmoid', 'binaryCrossentropy', ['a', 'b', 'c']), 3);
});
