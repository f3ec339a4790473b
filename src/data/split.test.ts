// Validation splits: sizes, stratification, seeds, 'last', errors, and the sealed test set passing through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor } from '../tensor/index.js';
import { classCounts, disposeDataset, makeDataset, type Dataset } from './dataset.js';
import { allocate, makeSplits, splitValidation } from './split.js';
import { TestSet } from './test-set.js';

/** 100 samples whose x is their own index; classes a, b, c, d with 40, 30, 20, 10 samples, interleaved. */
function toy(labels = Array.from({ length: 100 }, (_, i) => [0, 1, 0, 2, 1, 0, 3, 1, 2, 0][i % 10])): Dataset {
  const n = labels.length;
  return makeDataset({
    name: 'toy/train',
    x: tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1]),
    y: tensor(Float64Array.from(labels), [n], 'int64'),
    classes: ['a', 'b', 'c', 'd'],
  });
}
const ids = (d: Dataset) => d.x.toNumbers();

test('fraction 0.2 at random: 80/20, disjoint, covering everything, each part in dataset order', () => {
  const base = liveTensors().tensors;
  const data = toy();
  const { train, val } = splitValidation(data, { fraction: 0.2, seed: 1 });
  assert.equal(train.y.shape[0], 80);
  assert.equal(val.y.shape[0], 20);
  const all = [...ids(train), ...ids(val)].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
  for (const part of [train, val]) assert.deepEqual(ids(part), [...ids(part)].sort((a, b) => a - b));
  // Labels travel with their samples.
  const labelOf = data.y.toNumbers();
  val.x.toNumbers().forEach((id, k) => assert.equal(val.y.toNumbers()[k], labelOf[id]));
  assert.equal(val.name, 'toy/val');
  for (const d of [data, train, val]) disposeDataset(d);
  assert.equal(liveTensors().tensors, base);
});

test('stratified: every class keeps its share exactly (fraction and count)', () => {
  const data = toy();
  const a = splitValidation(data, { fraction: 0.2, stratify: true, seed: 3 });
  assert.deepEqual(classCounts(a.val), [8, 6, 4, 2]);
  assert.deepEqual(classCounts(a.train), [32, 24, 16, 8]);
  const b = splitValidation(data, { count: 10, stratify: true, seed: 3 });
  assert.deepEqual(classCounts(b.val), [4, 3, 2, 1]);
  for (const d of [data, a.train, a.val, b.train, b.val]) disposeDataset(d);
});

test('seeded: the same seed gives the same split, another seed another one', () => {
  const data = toy();
  const s1 = splitValidation(data, { fraction: 0.3, seed: 7 });
  const s2 = splitValidation(data, { fraction: 0.3, seed: 7 });
  const s3 = splitValidation(data, { fraction: 0.3, seed: 8 });
  assert.deepEqual(ids(s1.val), ids(s2.val));
  assert.notDeepEqual(ids(s1.val), ids(s3.val));
  for (const d of [data, s1.train, s1.val, s2.train, s2.val, s3.train, s3.val]) disposeDataset(d);
});

test("take 'last': the last samples in dataset order (count or fraction)", () => {
  const data = toy();
  const a = splitValidation(data, { count: 10, take: 'last' });
  assert.deepEqual(ids(a.val), [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  assert.deepEqual(ids(a.train), Array.from({ length: 90 }, (_, i) => i));
  const b = splitValidation(data, { fraction: 0.25, take: 'last' });
  assert.equal(ids(b.val)[0], 75);
  for (const d of [data, a.train, a.val, b.train, b.val]) disposeDataset(d);
});

test('a split that leaves a class empty is an error naming the class and the part', () => {
  const base = liveTensors().tensors;
  // Class d only among the first 10 samples: the last 10 hold none of it.
  const labels = Array.from({ length: 100 }, (_, i) => (i < 5 ? 3 : i % 3));
  const data = toy(labels);
  assert.throws(() => splitValidation(data, { count: 10, take: 'last' }), /split: the validation split \(count 10, take 'last'\) of toy\/train leaves class 'd' \(5 samples\) with none in val/);
  // One sample of class d: stratification cannot put it on both sides.
  const single = toy(Array.from({ length: 100 }, (_, i) => (i === 50 ? 3 : i % 3)));
  assert.throws(() => splitValidation(single, { fraction: 0.2, stratify: true, seed: 0 }), /leaves class 'd' \(1 samples\) with none in (train|val); the class is too small/);
  disposeDataset(data);
  disposeDataset(single);
  assert.equal(liveTensors().tensors, base, 'no tensors leak from a failed split');
});

test('bad configs name the field', () => {
  const data = toy();
  assert.throws(() => splitValidation(data, { fraction: 0.2, count: 5 }), /split: give the validation size as exactly one of fraction/);
  assert.throws(() => splitValidation(data, { fraction: 1.5 }), /split\.fraction: must be < 1 \(the range is \(0, 1\)\), got 1\.5/);
  assert.throws(() => splitValidation(data, { count: 100 }), /has 100 samples: a validation split of 100 leaves train empty/);
  assert.throws(() => splitValidation(data, { fracton: 0.2 } as never), /split\.fracton: unknown field of the validation split 'fracton' \(did you mean 'fraction'\?\)/);
  assert.throws(() => splitValidation(data, { count: 5, take: 'last', stratify: true }), /split\.stratify: stratify needs take: 'random'/);
  assert.throws(() => splitValidation(data, { count: 5, take: 'first' as never }), /split\.take: unknown value 'first'; valid: random, last/);
  assert.throws(() => splitValidation(data, { count: 5, seed: -1 }), /split\.seed: expected an integer >= 0, got -1/);
  assert.throws(() => splitValidation(data, { count: 5, seed: 2 ** 53 }), /split\.seed: expected an integer >= 0, got 9007199254740992/, 'seeds are safe integers');
  disposeDataset(data);
});

test('makeSplits passes the sealed test set through untouched', () => {
  const testSet = new TestSet(toy());
  const splits = makeSplits({ train: toy(), test: testSet }, { fraction: 0.2, seed: 0 });
  assert.equal(splits.test, testSet);
  assert.equal(testSet.evaluations, 0);
  assert.equal(splits.train.y.shape[0] + splits.val.y.shape[0], 100);
  for (const d of [splits.train, splits.val]) disposeDataset(d);
  testSet.dispose();
});

test('allocate shares a total by largest remainder', () => {
  assert.deepEqual(allocate(10, [40, 30, 20, 10]), [4, 3, 2, 1]);
  assert.deepEqual(allocate(3, [1, 1, 1, 1]), [1, 1, 1, 0]);
  const shares = allocate(7, [13, 5, 9]);
  assert.equal(shares.reduce((a, b) => a + b, 0), 7);
  shares.forEach((s, i) => assert.ok(Math.abs(s - (7 * [13, 5, 9][i]) / 27) < 1));
});
