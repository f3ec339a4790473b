import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRun } from './run-analysis.js';
import { makeEpochs, makeRun } from '../testing/run-fixtures.js';

// A hand-made history: validation accuracy peaks at epoch 5 (1-based), over-fitting afterwards.
const valAcc = [0.5, 0.8, 0.86, 0.895, 0.9, 0.89, 0.885];
const trainAcc = [0.55, 0.82, 0.88, 0.92, 0.95, 0.97, 0.98];
const trainLoss = [1.2, 0.6, 0.4, 0.3, 0.2, 0.12, 0.08];
const valLoss = [1.1, 0.65, 0.45, 0.36, 0.33, 0.35, 0.38];

test('best epoch, epochs to 95% / 99% of the best validation accuracy, final gaps, time', () => {
  const run = makeRun({ id: 7, label: 'x', wallTimeS: null, metrics: {} });
  const a = analyzeRun(run, makeEpochs({ trainAcc, trainLoss, valAcc, valLoss, timeS: 1.5 }));
  assert.equal(a.epochs, 7);
  assert.equal(a.bestBy, 'val_accuracy');
  assert.equal(a.bestEpoch, 5);
  assert.equal(a.bestValue, 0.9);
  // 95% of 0.9 = 0.855: first reached at epoch 3 (0.86); 99% = 0.891: at epoch 4 (0.895).
  assert.equal(a.epochsTo95, 3);
  assert.equal(a.epochsTo99, 4);
  // No stored final metrics: the last epoch's logs.
  assert.deepEqual(a.final, { trainAccuracy: 0.98, valAccuracy: 0.885, trainLoss: 0.08, valLoss: 0.38 });
  assert.ok(Math.abs(a.accuracyGap! - 0.095) < 1e-12);
  assert.ok(Math.abs(a.lossGap! - 0.3) < 1e-12);
  // No stored wall time: the sum of the epoch times.
  assert.ok(Math.abs(a.wallTimeS! - 10.5) < 1e-12);
  // Median of 1000, 1010, ..., 1060.
  assert.equal(a.trainSamplesPerS, 1030);
});

test('stored final metrics and wall time take precedence over the last epoch', () => {
  const run = makeRun({ id: 1, wallTimeS: 42, metrics: { train: { accuracy: 0.93, loss: 0.2 }, val: { accuracy: 0.9, loss: 0.33 } } });
  const a = analyzeRun(run, makeEpochs({ trainAcc, trainLoss, valAcc, valLoss }));
  assert.deepEqual(a.final, { trainAccuracy: 0.93, valAccuracy: 0.9, trainLoss: 0.2, valLoss: 0.33 });
  assert.ok(Math.abs(a.accuracyGap! - 0.03) < 1e-12);
  assert.equal(a.wallTimeS, 42);
});

test('without validation accuracy the best epoch is by validation loss, then training loss', () => {
  const byValLoss = analyzeRun(makeRun({ id: 1 }), makeEpochs({ trainLoss, valLoss }));
  assert.equal(byValLoss.bestBy, 'val_loss');
  assert.equal(byValLoss.bestEpoch, 5);
  assert.equal(byValLoss.epochsTo95, null);
  assert.equal(byValLoss.accuracyGap, null);
  const byLoss = analyzeRun(makeRun({ id: 1 }), makeEpochs({ trainLoss }));
  assert.equal(byLoss.bestBy, 'loss');
  assert.equal(byLoss.bestEpoch, 7);
});

test('NaN epochs (a diverged run) are skipped; no epochs gives nulls', () => {
  const a = analyzeRun(makeRun({ id: 1, status: 'diverged' }), makeEpochs({ trainLoss: [1, NaN], trainAcc: [0.5, NaN], valLoss: [1, NaN], valAcc: [0.6, NaN] }));
  assert.equal(a.bestEpoch, 1);
  assert.equal(a.final.valAccuracy, null); // the last epoch is NaN and nothing is stored
  const empty = analyzeRun(makeRun({ id: 2 }), []);
  assert.equal(empty.epochs, 0);
  assert.equal(empty.bestEpoch, null);
  assert.equal(empty.bestBy, null);
  assert.equal(empty.trainSamplesPerS, null);
});
