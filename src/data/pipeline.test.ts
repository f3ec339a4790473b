// The pieces together on MNIST, as an experiment uses them: task, subset, split, preprocessing, loader with
// augmentation, final evaluation; nothing leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tidy } from '../tensor/index.js';
import { loadMnist } from './builtin/mnist.js';
import { classCounts, disposeDataset } from './dataset.js';
import { DataLoader } from './loader.js';
import { preprocessSplits } from './preprocess.js';
import { makeSplits } from './split.js';
import { applyTask, applyTaskToTest, takeSubset } from './tasks.js';

test('MNIST "3 vs rest": subset, stratified split, standardize, augmented batches, final evaluation', () => {
  const base = liveTensors().tensors;
  const mnist = loadMnist();
  const task = applyTask(mnist.train, { name: 'oneVsRest', positive: '3' });
  assert.equal(task.info.name === 'oneVsRest' && task.info.positiveRate, 6131 / 60000);
  const small = takeSubset(task.dataset, { total: 3000, stratify: true, seed: 1 });
  assert.deepEqual(classCounts(small), [2693, 307]);
  const test3 = applyTaskToTest(mnist.test, { name: 'oneVsRest', positive: '3' });
  const raw = makeSplits({ train: small, test: test3 }, { fraction: 0.2, stratify: true, seed: 2 });
  const { splits, preprocessor } = preprocessSplits(raw, { name: 'standardize' });
  assert.deepEqual(classCounts(splits.val), [539, 61]);
  assert.ok(Math.abs(preprocessor.state.mean![0] - 33.3) < 1.5, `mean ${preprocessor.state.mean}`);
  const loader = new DataLoader(splits.train, { batchSize: 256, seed: 3, augment: { steps: [{ name: 'rotate', degrees: 10 }, { name: 'randomResizedCrop', size: 28, scale: [0.8, 1] }], seed: 4 } });
  let seen = 0;
  for (const b of loader) {
    assert.deepEqual(b.x.shape.slice(1), [1, 28, 28]);
    seen += b.y.shape[0];
  }
  assert.equal(seen, 2400);
  const positives = splits.test.finalEvaluation((d) => tidy(() => d.y.sum().item()));
  assert.equal(positives, 1010);
  assert.equal(mnist.test.evaluations, 0, 'the original test set was never looked at');
  for (const d of [mnist.train, task.dataset, small, raw.train, raw.val, splits.train, splits.val]) disposeDataset(d);
  for (const t of [mnist.test, test3, splits.test]) t.dispose();
  assert.equal(liveTensors().tensors, base);
});
