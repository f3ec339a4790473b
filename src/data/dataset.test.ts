// Dataset helpers: validation of the parts, class counts, subsets with one gather, views, class lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, zeros } from '../tensor/index.js';
import { classCounts, classCountsByName, classIndex, DatasetError, disposeDataset, flattenFeatures, imagesAsSequences, makeDataset, sequenceFeatures, subset } from './dataset.js';

const labels = (v: number[]) => tensor(Float64Array.from(v), [v.length], 'int64');

test('makeDataset checks that x, y and the classes fit together', () => {
  const x = zeros([4, 1, 2, 2]);
  assert.throws(() => makeDataset({ name: 'd', x, y: labels([0, 1, 2]), classes: ['a', 'b', 'c'] }), /d: 4 samples .* but 3 labels/);
  assert.throws(() => makeDataset({ name: 'd', x, y: labels([0, 1, 2, 3]), classes: ['a', 'b', 'c'] }), (e: unknown) => e instanceof DatasetError && /labels range over 0\.\.3, but there are 3 classes/.test((e as Error).message));
  assert.throws(() => makeDataset({ name: 'd', x, y: tensor([0, 1, 1, 0]), classes: ['a', 'b'] }), /labels must be int64 \[N\], got float32/);
  x.dispose();
});

test('class counts, subsets (one gather) and flattened views', () => {
  const base = liveTensors().tensors;
  const ds = makeDataset({ name: 'd', x: tensor(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [4, 1, 1, 2]), y: labels([2, 0, 2, 1]), classes: ['a', 'b', 'c'] });
  assert.deepEqual(classCounts(ds), [1, 1, 2]);
  assert.deepEqual(classCountsByName(ds), { a: 1, b: 1, c: 2 });
  const s = subset(ds, [3, 0, 0]);
  assert.deepEqual(s.x.toNumbers(), [6, 7, 0, 1, 0, 1]);
  assert.deepEqual(s.y.toNumbers(), [1, 2, 2]);
  const f = flattenFeatures(ds);
  assert.deepEqual(f.x.shape, [4, 2]);
  disposeDataset(ds);
  assert.deepEqual(f.x.toNumbers(), [0, 1, 2, 3, 4, 5, 6, 7], 'a view that outlives the source handle');
  disposeDataset(f);
  disposeDataset(s);
  assert.equal(liveTensors().tensors, base);
});

test('images read as sequences of rows: [N, C, H, W] -> [N, H, W·C], channels side by side per pixel', () => {
  const base = liveTensors().tensors;
  // Two 1×2×3 grey images: row r of image n is step r, its 3 pixels the features.
  const grey = makeDataset({ name: 'g', x: tensor(Float32Array.from({ length: 12 }, (_, i) => i), [2, 1, 2, 3]), y: labels([0, 1]), classes: ['a', 'b'] });
  const seq = sequenceFeatures(grey);
  assert.deepEqual(seq.x.shape, [2, 2, 3]);
  assert.deepEqual(seq.x.toNumbers(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'the same values, row after row');
  disposeDataset(grey);
  assert.deepEqual(seq.y.toNumbers(), [0, 1], 'outlives the source');
  disposeDataset(seq);
  // One 2×2×2 colour image (channel planes [0..3] and [10..13]): step = row, features = r,g of each pixel.
  const colour = tensor([0, 1, 2, 3, 10, 11, 12, 13], [1, 2, 2, 2]);
  const rows = imagesAsSequences(colour);
  assert.deepEqual(rows.shape, [1, 2, 4]);
  assert.deepEqual(rows.toNumbers(), [0, 10, 1, 11, 2, 12, 3, 13]);
  for (const t of [colour, rows]) t.dispose();
  const flat = zeros([2, 6]);
  assert.throws(() => imagesAsSequences(flat), (e: unknown) => e instanceof DatasetError && /needs images \[N, C, H, W\], got \[2, 6\]/.test((e as Error).message));
  flat.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('classIndex takes names or indices and lists the valid ones', () => {
  const ds = { classes: ['cat', 'dog'] };
  assert.equal(classIndex(ds, 'dog'), 1);
  assert.equal(classIndex(ds, 0), 0);
  assert.equal(classIndex({ classes: ['0', '1', '2'] }, '2'), 2);
  assert.throws(() => classIndex(ds, 'cta', 'task.positive'), /task\.positive: unknown class 'cta' \(did you mean 'cat'\?\); valid: cat, dog/);
  assert.throws(() => classIndex(ds, 5), /class: class index 5 is out of range 0\.\.1 \(classes: cat, dog\)/);
});
