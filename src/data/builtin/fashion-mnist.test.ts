// Fashion-MNIST from the fashion-mnist package: conversion to the cache, the documented split, duplicates,
// a damaged cache, and the official IDX files from a path.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeIdx } from '../../io/idx.js';
import { liveTensors, ops, tensor, tidy } from '../../tensor/index.js';
import { classCounts, disposeDataset, type Dataset } from '../dataset.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist, loadFashionMnistIdx } from './fashion-mnist.js';
import { packageDir } from './package.js';

const cache = mkdtempSync(path.join(os.tmpdir(), 'nnlab-fmnist-'));
after(() => rmSync(cache, { recursive: true, force: true }));

/** A bool [N]: which samples of ds equal `image` (784 bytes). */
function matches(ds: Dataset, image: number[]) {
  return ops.sumDim(ds.x.flatten(1).eq(tensor(Uint8Array.from(image), [1, 784])), [1]).eq(784);
}

/** How many samples of ds equal `image`. */
function occurrences(ds: Dataset, image: number[]): number {
  return tidy(() => matches(ds, image).sum().item());
}

test('first load converts the package: 6,000/1,000 per class, first 1,000 of each class file are test', (t) => {
  const base = liveTensors().tensors;
  let start = performance.now();
  const first = loadFashionMnist({ cacheDir: cache });
  t.diagnostic(`first load (conversion): ${(performance.now() - start).toFixed(0)} ms`);
  assert.equal(first.info.fromCache, false);
  assert.deepEqual(first.train.x.shape, [60000, 1, 28, 28]);
  assert.deepEqual(classCounts(first.train), Array(10).fill(6000));
  assert.deepEqual(first.test.finalEvaluation((d) => classCounts(d)), Array(10).fill(1000));
  assert.deepEqual(first.train.classes, FASHION_MNIST_CLASSES);
  // Not in class order: unshuffled training must not see one class after another.
  const head = tidy(() => first.train.y.narrow(0, 0, 100).toNumbers());
  assert.ok(new Set(head).size >= 8, `first 100 labels span ${new Set(head).size} classes`);

  // Images 0 and 999 of class 5's file are test images, image 1000 a training image (with the label 5).
  const raw = (JSON.parse(readFileSync(path.join(packageDir('fashion-mnist', 'fashion-mnist'), 'src/clothes/5.json'), 'utf8')) as { data: number[][] }).data;
  first.test.finalEvaluation((test) => {
    for (const i of [0, 999]) assert.equal(occurrences(test, raw[i]), 1, `class 5 image ${i} in test`);
    assert.equal(occurrences(test, raw[1000]), 0);
  });
  assert.equal(occurrences(first.train, raw[1000]), 1);
  assert.equal(occurrences(first.train, raw[0]), 0);
  const at = tidy(() => ops.nonzero(matches(first.train, raw[1000])).item());
  assert.equal(tidy(() => first.train.y.select(0, at).item()), 5);

  // Duplicates as documented: 54 in all, 53 of them in train.
  const dup = first.info.duplicates;
  assert.equal(dup.length, 54);
  assert.equal(dup.filter((d) => d.split === 'train').length, 53);
  assert.equal(dup.filter((d) => d.split === 'train' && d.copyOf.split === 'test').length, 10);
  assert.equal(dup.filter((d) => !d.sameLabel).length, 1);

  start = performance.now();
  const second = loadFashionMnist({ cacheDir: cache });
  const ms = performance.now() - start;
  t.diagnostic(`second load (cache): ${ms.toFixed(0)} ms`);
  assert.equal(second.info.fromCache, true);
  assert.ok(ms < 2000, `second load took ${ms} ms`);
  assert.ok(tidy(() => ops.equal(first.train.x, second.train.x) && ops.equal(first.train.y, second.train.y)), 'the same data in the same order');

  for (const d of [first, second]) {
    disposeDataset(d.train);
    d.test.dispose();
  }
  assert.equal(liveTensors().tensors, base);
});

test('dropDuplicates removes the 53 training copies; the test set is unchanged', () => {
  const { train, test: testSet, info } = loadFashionMnist({ cacheDir: cache, dropDuplicates: true });
  assert.equal(info.droppedFromTrain, 53);
  assert.equal(train.y.shape[0], 60000 - 53);
  assert.equal(testSet.size, 10000);
  // No training image is left that copies a test image: check the listed cross-split pairs.
  const full = loadFashionMnist({ cacheDir: cache });
  full.test.finalEvaluation((test) => {
    for (const d of info.duplicates.filter((d) => d.split === 'train' && d.copyOf.split === 'test').slice(0, 3)) {
      const image = tidy(() => test.x.select(0, d.copyOf.index).flatten().toNumbers());
      assert.equal(occurrences(full.train, image), 1);
      assert.equal(occurrences(train, image), 0);
    }
  });
  for (const d of [full.train, train]) disposeDataset(d);
  full.test.dispose();
  testSet.dispose();
});

test('a damaged cache entry is rebuilt, with a warning', () => {
  const { info } = loadFashionMnist({ cacheDir: cache });
  truncateSync(path.join(info.cacheFolder, 'train-images-idx3-ubyte'), 1000);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const again = loadFashionMnist({ cacheDir: cache });
  assert.equal(again.info.fromCache, false);
  assert.deepEqual(classCounts(again.train), Array(10).fill(6000));
  disposeDataset(again.train);
  again.test.dispose();
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      process.off('warning', onWarning);
      assert.ok(warnings.some((w) => /Fashion-MNIST cache .* is damaged .*truncated.*converting again/.test(w)), warnings.join('\n'));
      resolve();
    }),
  );
});

test('loadFashionMnistIdx reads the official files from a path', () => {
  const dir = path.join(cache, 'official');
  mkdirSync(dir);
  writeIdx(path.join(dir, 'train-images-idx3-ubyte.gz'), { dtype: 'uint8', shape: [3, 28, 28], data: new Uint8Array(3 * 784).fill(7) }, { gzip: true });
  writeIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), { dtype: 'uint8', shape: [3], data: Uint8Array.from([9, 0, 3]) }, { gzip: true });
  writeIdx(path.join(dir, 't10k-images-idx3-ubyte.gz'), { dtype: 'uint8', shape: [2, 28, 28], data: new Uint8Array(2 * 784) }, { gzip: true });
  writeIdx(path.join(dir, 't10k-labels-idx1-ubyte.gz'), { dtype: 'uint8', shape: [2], data: Uint8Array.from([1, 2]) }, { gzip: true });
  const { train, test: testSet } = loadFashionMnistIdx(dir);
  assert.deepEqual(train.y.toNumbers(), [9, 0, 3]);
  assert.equal(train.classes[9], 'Ankle boot');
  assert.equal(testSet.size, 2);
  disposeDataset(train);
  testSet.dispose();
  // Labels beyond the 10 classes are refused.
  writeIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), { dtype: 'uint8', shape: [3], data: Uint8Array.from([9, 10, 3]) }, { gzip: true });
  assert.throws(() => loadFashionMnistIdx(dir), /labels range over 3\.\.10, but there are 10 classes/);
});
