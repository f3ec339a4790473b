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
import { runExperiment } from './runner.js';

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
