// Each callback on a real (small) training run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ops, tidy } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { makeDataset, disposeDataset, type Dataset } from '../../data/index.js';
import { Sequential } from '../../nn/model.js';
import { Trainer } from '../trainer.js';
import type { EpochLog } from '../../record/history.js';
import { loadModel } from '../model-io.js';
import { callback } from './registry.js';
import { EarlyStopping } from './early-stopping.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { epochLine } from './progress.js';

function noise(n: number, seed: number): Dataset {
  manualSeed(seed);
  return tidy(() => makeDataset({ name: 'noise', x: ops.randn([n, 4], 'float32'), y: ops.remainder(ops.arange(0, n, 1, 'int64'), 2), classes: ['a', 'b'] }));
}

async function run(callbacks: Parameters<Trainer['fit']>[1]['callbacks'], epochs = 12, lr = 0.05) {
  const train = noise(64, 1);
  const val = noise(64, 2); // labels unrelated to the inputs: validation loss rises as the model overfits
  manualSeed(0);
  const model = new Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 64, activation: 'relu' }, { type: 'dense', units: 2, activation: 'softmax' }] });
  const trainer = new Trainer(model, { optimizer: { name: 'adam', lr }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await trainer.fit(train, { epochs, batchSize: 16, validationData: val, callbacks, seed: 0 });
  return { history, model, trainer, dispose: () => [trainer.dispose(), model.dispose(), disposeDataset(train), disposeDataset(val)] };
}

test('earlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
  const snapshots: number[][] = [];
  const r = await run([es, { name: 'snap', onEpochEnd: (_l, ctx) => void snapshots.push(ctx.model.stateDict()['1.bias'].toNumbers()) }], 30);
  const losses = r.history.epochs.map((e) => e.val!.loss as number);
  const best = losses.indexOf(Math.min(...losses));
  assert.equal(r.history.status, 'stopped');
  assert.equal(r.history.epochs.length, best + 1 + 2, 'stops on the second epoch after the best (patience 2), as Keras');
  assert.match(r.history.message!, new RegExp(`early stopping at epoch ${best + 3}: val_loss did not improve for 2 epochs .*restored the weights of epoch ${best + 1}`));
  assert.deepEqual(r.model.stateDict()['1.bias'].toNumbers(), snapshots[best]);
  r.dispose();
});

test("earlyStopping stops where Keras stopped seed 004's runs (val_loss logs replayed, patience 2)", () => {
  // The val_loss of each epoch as the seed's Keras 2 log printed it, the callback's settings, and the epochs Keras ran.
  const runs: [string, number[], number, number][] = [
    ['relu', [0.6922, 0.5557, 0.4957, 0.4882, 0.4446, 0.4367, 0.4174, 0.4144, 0.3978, 0.39], 0.02, 9],
    ['selu', [0.5187, 0.4779, 0.4473, 0.4572, 0.4331, 0.42], 0.02, 5],
    ['final model', [0.4093, 0.364, 0.3423, 0.3382, 0.326, 0.3237, 0.3236, 0.31], 0.01, 7],
  ];
  for (const [name, losses, minDelta, ran] of runs) {
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta });
    let stopped = -1;
    const ctx = { stop: () => void (stopped = stopped < 0 ? epoch : stopped) } as unknown as Parameters<EarlyStopping['onEpochEnd']>[1];
    let epoch = 0;
    es.onTrainBegin();
    for (; epoch < losses.length && stopped < 0; epoch++) es.onEpochEnd({ epoch, train: { loss: 1 }, val: { loss: losses[epoch] }, lr: 0.01, timeS: 1, trainTimeS: 1, samplesPerS: 1 }, ctx);
    assert.equal(stopped + 1, ran, `${name}: Keras ran ${ran} epochs`);
  }
});

test('earlyStopping: startFromEpoch delays it; monitoring a missing value is a named error', async () => {
  const r = await run([new EarlyStopping({ monitor: 'val_loss', patience: 0, startFromEpoch: 8 })], 12);
  assert.ok(r.history.epochs.length >= 9);
  r.dispose();
  await assert.rejects(run([new EarlyStopping({ monitor: 'val_f1' })], 2), /earlyStopping\.monitor: 'val_f1' is not in the epoch logs \(they have: lr, loss, accuracy, val_loss, val_accuracy\)/);
});

test('reduceLROnPlateau multiplies the learning rate after a plateau, honouring cooldown and minLr (Keras semantics)', async () => {
  const r = await run([new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 1, cooldown: 2, minLr: 0.01 })], 14);
  const lrs = r.history.epochs.map((e) => e.lr);
  assert.equal(lrs[0], 0.05);
  const changes = lrs.slice(1).map((lr, i) => lr / lrs[i]).filter((f) => f !== 1);
  assert.ok(changes.length >= 1, `the rate was reduced: ${lrs.join(', ')}`);
  assert.ok(changes.every((f) => f === 0.5 || lrs.includes(0.01)));
  assert.ok(Math.min(...lrs) >= 0.01);
  for (let i = 1; i < lrs.length - 1; i++) if (lrs[i] < lrs[i - 1]) assert.equal(lrs[i + 1], lrs[i], 'cooldown: no reduction right after one');
  r.dispose();
});

test('modelCheckpoint (best only) and csvLogger write complete files', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cb-'));
  const csv = path.join(dir, 'log.csv');
  const best = callback({ name: 'modelCheckpoint', path: path.join(dir, 'best'), monitor: 'val_accuracy', saveBestOnly: true }, 'callbacks[0]');
  const every = callback({ name: 'modelCheckpoint', path: path.join(dir, 'e{epoch}') }, 'callbacks[1]');
  const r = await run([best, every, callback({ name: 'csvLogger', path: csv })], 4);
  for (let e = 1; e <= 4; e++) assert.ok(existsSync(path.join(dir, `e${e}`, 'weights.safetensors')));
  const loaded = loadModel(path.join(dir, 'best'));
  const accs = r.history.epochs.map((e) => e.val!.accuracy as number);
  assert.equal(loaded.info.epoch, accs.indexOf(Math.max(...accs)) + 1);
  loaded.model.dispose();
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'epoch,loss,accuracy,val_loss,val_accuracy,lr,time_s,samples_per_s');
  assert.equal(lines.length, 5);
  assert.equal(Number(lines[4].split(',')[1]), r.history.epochs[3].train.loss);
  r.dispose();
});

test('callback configs are checked and named', () => {
  assert.throws(() => callback({ name: 'earlyStoping' }, 'training.callbacks[0]'), /training\.callbacks\[0\]\.name: unknown callback 'earlyStoping' \(did you mean 'earlyStopping'\?\)/);
  assert.throws(() => callback({ name: 'earlyStopping', patience: -1 }, 'cb'), /cb\.patience: must be >= 0/);
  assert.throws(() => callback({ name: 'csvLogger' }, 'cb'), /cb\.path: is required/);
  assert.throws(() => callback({ name: 'reduceLROnPlateau', factor: 1 }, 'cb'), /cb\.factor: must be < 1/);
});

test('the plain progress line has the seeds\' format', () => {
  const log: EpochLog = { epoch: 2, train: { loss: 0.0712, accuracy: 0.97812 }, val: { loss: 0.0803, accuracy: 0.9752 }, lr: 0.001, timeS: 1.94, trainTimeS: 1.5, samplesPerS: 33000 };
  assert.equal(epochLine(log, 10), 'Epoch 3/10 - 1.9s - loss: 0.0712 - accuracy: 0.9781 - val_loss: 0.0803 - val_accuracy: 0.9752');
});
