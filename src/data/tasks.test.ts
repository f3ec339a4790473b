// Tasks and subsets: one-vs-rest with its positive rate, class selections, per-class and total subsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor } from '../tensor/index.js';
import { classCounts, disposeDataset, makeDataset, type Dataset } from './dataset.js';
import { applyTask, oneVsRest, selectClasses, takeSubset } from './tasks.js';

/** 60 samples whose x is 1000·label + index; classes cat, dog, fox with 30, 20, 10 samples. */
function toy(): Dataset {
  const labels = Array.from({ length: 60 }, (_, i) => [0, 1, 0, 2, 1, 0][i % 6]);
  return makeDataset({
    name: 'pets',
    x: tensor(Float32Array.from(labels, (l, i) => 1000 * l + i), [60, 1]),
    y: tensor(Float64Array.from(labels), [60], 'int64'),
    classes: ['cat', 'dog', 'fox'],
  });
}
/** Every sample still carries its own label (x encodes it). */
function consistent(d: Dataset, classOf: (original: number) => number): void {
  const x = d.x.toNumbers();
  d.y.toNumbers().forEach((y, k) => assert.equal(y, classOf(Math.floor(x[k] / 1000)), `sample ${x[k]}`));
}

test('one-vs-rest: binary labels, names, positive rate and the majority baseline', () => {
  const base = liveTensors().tensors;
  const data = toy();
  const r = oneVsRest(data, 'fox');
  assert.deepEqual(r.dataset.classes, ['not fox', 'fox']);
  assert.equal(r.positiveClass, 'fox');
  assert.equal(r.positiveRate, 10 / 60);
  assert.equal(r.majorityAccuracy, 50 / 60);
  assert.deepEqual(classCounts(r.dataset), [50, 10]);
  consistent(r.dataset, (orig) => (orig === 2 ? 1 : 0));
  // By index too; x is shared, not copied, and survives disposing the source.
  const byIndex = oneVsRest(data, 1);
  assert.deepEqual(classCounts(byIndex.dataset), [40, 20]);
  disposeDataset(data);
  assert.equal(r.dataset.x.shape[0], 60);
  disposeDataset(r.dataset);
  disposeDataset(byIndex.dataset);
  assert.equal(liveTensors().tensors, base);
});

test('applyTask: configs, reported info, and errors naming the field', () => {
  const data = toy();
  const multi = applyTask(data, 'multiclass');
  assert.deepEqual(multi.info, { name: 'multiclass', classes: ['cat', 'dog', 'fox'], counts: [30, 20, 10] });
  assert.throws(() => applyTask(data, { name: 'multiclass', positive: 1 } as never), /task\.positive: unknown field of task 'multiclass'; it takes no fields/);
  const bin = applyTask(data, { name: 'oneVsRest', positive: 'dog' });
  assert.equal(bin.info.name, 'oneVsRest');
  assert.deepEqual(bin.info.name === 'oneVsRest' && [bin.info.positiveRate, bin.info.counts], [20 / 60, [40, 20]]);
  assert.throws(() => applyTask(data, { name: 'oneVsRest', positive: 'dgo' }), /task\.positive: unknown class 'dgo' \(did you mean 'dog'\?\); valid: cat, dog, fox/);
  assert.throws(() => applyTask(data, { name: 'oneVsRest' } as never), /task\.positive: oneVsRest needs the positive class/);
  assert.throws(() => applyTask(data, { name: 'binary' } as never), /task\.name: unknown task 'binary'; valid: multiclass, oneVsRest/);
  for (const d of [data, multi.dataset, bin.dataset]) disposeDataset(d);
});

test('selectClasses keeps the given classes, relabelled in the order given', () => {
  const data = toy();
  const s = selectClasses(data, ['fox', 'cat']);
  assert.deepEqual(s.classes, ['fox', 'cat']);
  assert.deepEqual(classCounts(s), [10, 30]);
  consistent(s, (orig) => (orig === 2 ? 0 : 1));
  assert.throws(() => selectClasses(data, ['cat', 'cat']), /lists a class twice/);
  disposeDataset(data);
  disposeDataset(s);
});

test('subsets: n per class, n in total (stratified or not), seeded, or the first n', () => {
  const base = liveTensors().tensors;
  const data = toy();
  const per = takeSubset(data, { perClass: 5, seed: 1 });
  assert.deepEqual(classCounts(per), [5, 5, 5]);
  consistent(per, (o) => o);
  const again = takeSubset(data, { perClass: 5, seed: 1 });
  assert.deepEqual(again.x.toNumbers(), per.x.toNumbers());
  const other = takeSubset(data, { perClass: 5, seed: 2 });
  assert.notDeepEqual(other.x.toNumbers(), per.x.toNumbers());
  const total = takeSubset(data, { total: 12, stratify: true, seed: 0 });
  assert.deepEqual(classCounts(total), [6, 4, 2]);
  const plain = takeSubset(data, { total: 7, seed: 0 });
  assert.equal(plain.y.shape[0], 7);
  const first = takeSubset(data, { total: 4, take: 'first' });
  assert.deepEqual(first.x.toNumbers().map((v) => v % 1000), [0, 1, 2, 3]);
  const pickedPer = takeSubset(data, { classes: ['dog', 'fox'], perClass: 3, take: 'first' });
  assert.deepEqual(pickedPer.classes, ['dog', 'fox']);
  assert.deepEqual(pickedPer.x.toNumbers().map((v) => v % 1000), [1, 3, 4, 7, 9, 15]);
  for (const d of [data, per, again, other, total, plain, first, pickedPer]) disposeDataset(d);
  assert.equal(liveTensors().tensors, base);
});

test('asking a subset for more than a class holds is an error naming the class', () => {
  const data = toy();
  assert.throws(() => takeSubset(data, { perClass: 11 }), /subset\.perClass: pets: class 'fox' has 10 samples, fewer than 11/);
  assert.throws(() => takeSubset(data, { total: 61 }), /subset\.total: expected an integer in 1\.\.60/);
  assert.throws(() => takeSubset(data, { perClass: 2, total: 3 }), /give perClass or total, not both/);
  disposeDataset(data);
});
