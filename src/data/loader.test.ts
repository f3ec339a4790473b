// The loader: batch sizes, dropLast, order with and without shuffling, seeds, augmentation, and ownership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../engine/seed.js';
import { liveTensors, tensor, tidy } from '../tensor/index.js';
import { disposeDataset, makeDataset, type Dataset } from './dataset.js';
import { DataLoader, type LoaderConfig } from './loader.js';

/** n samples of 1×1×2 whose pixels are [i, -i]; label i % 3. */
function toy(n: number): Dataset {
  return makeDataset({
    name: 'toy',
    x: tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? -1 : 1) * Math.floor(k / 2)), [n, 1, 1, 2]),
    y: tensor(Float64Array.from({ length: n }, (_, i) => i % 3), [n], 'int64'),
    classes: ['a', 'b', 'c'],
  });
}
/** The sample ids of every batch of one epoch, checking that labels travel with their samples. */
function epochIds(loader: DataLoader, epoch?: number): number[][] {
  const out: number[][] = [];
  for (const b of epoch === undefined ? loader : loader.epoch(epoch)) {
    const ids = b.x.toNumbers().filter((_, k) => k % 2 === 0);
    assert.deepEqual(b.y.toNumbers(), ids.map((i) => i % 3));
    out.push(ids);
  }
  return out;
}
const loader = (data: Dataset, config: LoaderConfig) => new DataLoader(data, config);

test('batch sizes, dropLast, and dataset order without shuffling', () => {
  const data = toy(10);
  const plain = loader(data, { batchSize: 4, shuffle: false });
  assert.equal(plain.batchesPerEpoch, 3);
  assert.deepEqual(epochIds(plain, 0), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const dropped = loader(data, { batchSize: 4, shuffle: false, dropLast: true });
  assert.equal(dropped.samplesPerEpoch, 8);
  assert.deepEqual(epochIds(dropped, 0), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  disposeDataset(data);
});

test('shuffling: a permutation per epoch, repeatable by seed, different across epochs and seeds', () => {
  const data = toy(50);
  const a = loader(data, { batchSize: 8, seed: 1 });
  const e0 = epochIds(a, 0);
  assert.deepEqual(e0.flat().sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(e0.flat(), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(epochIds(loader(data, { batchSize: 8, seed: 1 }), 0), e0, 'same seed, same order');
  assert.notDeepEqual(epochIds(a, 1), e0, 'a new order each epoch');
  assert.notDeepEqual(epochIds(loader(data, { batchSize: 8, seed: 2 }), 0), e0, 'another seed, another order');
  // Iterating the loader runs epochs 0, 1, ...
  const b = loader(data, { batchSize: 8, seed: 1 });
  assert.deepEqual(epochIds(b), e0);
  assert.deepEqual(epochIds(b), epochIds(a, 1));
  // Without a seed the order comes from libtorch's generator: repeatable under manualSeed.
  manualSeed(5);
  const g1 = epochIds(loader(data, { batchSize: 8 }), 0);
  manualSeed(5);
  assert.deepEqual(epochIds(loader(data, { batchSize: 8 }), 0), g1);
  disposeDataset(data);
});

test('augmentation applies to each batch, seeded by epoch and batch', () => {
  const data = toy(6);
  const flip = loader(data, { batchSize: 3, shuffle: false, augment: { steps: [{ name: 'flip', p: 1 }] } });
  const it = flip.epoch(0);
  const first = it.next().value!;
  assert.deepEqual(first.x.toNumbers().map((v) => v + 0), [0, 0, -1, 1, -2, 2]);
  it.return();
  assert.ok(first.x.isDisposed, 'closing the epoch frees its batch');
  const cfg: LoaderConfig = { batchSize: 3, seed: 3, augment: { steps: [{ name: 'rotate', degrees: 45 }], seed: 4 } };
  const run = () => Array.from(loader(data, cfg).epoch(2), (b) => b.x.toNumbers());
  assert.deepEqual(run(), run());
  disposeDataset(data);
});

test('batches are freed as the epoch moves on, at its end, and on break', () => {
  const data = toy(20);
  const base = liveTensors().tensors;
  for (const config of [{ batchSize: 6 }, { batchSize: 6, shuffle: false }, { batchSize: 6, augment: { steps: [{ name: 'flip' as const }] } }]) {
    const l = loader(data, config);
    let previous: { x: { isDisposed: boolean } } | null = null;
    for (const b of l.epoch(0)) {
      if (previous) assert.ok(previous.x.isDisposed, 'the previous batch is freed');
      previous = b;
      // A training step's tidy() must not free the loader's batch.
      tidy(() => b.x.mul(2).sum().item());
      assert.equal(b.x.isDisposed, false);
    }
    assert.equal(liveTensors().tensors, base);
    for (const b of l.epoch(1)) {
      if (b.index === 1) break;
    }
    assert.equal(liveTensors().tensors, base, 'break frees the batch and the permutation');
  }
  disposeDataset(data);
});

test('bad loader configs name the field', () => {
  const data = toy(5);
  const cfg: LoaderConfig = { batchSize: 2, shuffle: true, dropLast: true, seed: 4, augment: { steps: [{ name: 'flip', p: 0.3 }], seed: 1 } };
  assert.deepEqual(JSON.parse(JSON.stringify(loader(data, cfg).getConfig())), cfg, 'plain JSON config round trip');
  assert.throws(() => loader(data, { batchSize: 0 }), /loader\.batchSize: expected an integer >= 1, got 0/);
  assert.throws(() => loader(data, { batchSize: 8, dropLast: true }), /loader\.batchSize: toy has 5 samples: no batch of 8 with dropLast/);
  assert.throws(() => loader(data, { batchSize: 2, shufle: true } as never), /loader\.shufle: unknown field of the loader 'shufle' \(did you mean 'shuffle'\?\); valid: batchSize, shuffle, dropLast, seed, augment/);
  assert.throws(() => loader(data, { batchSize: 2, augment: { steps: [{ name: 'flip', p: -1 }] } }), /loader\.augment\.steps\[0\]\.p/);
  assert.throws(() => loader(data, {} as never), /^ConfigError: loader\.batchSize: the loader needs 'batchSize' \(an integer >= 1\)$/);
  assert.throws(() => loader(data, { batchSize: 2, name: 'x' } as never), /loader\.name: unknown field of the loader 'name'/, 'a loader config has no name');
  assert.throws(() => loader(data, 4 as never), /^ConfigError: loader: expected an object with fields batchSize, shuffle, dropLast, seed, augment, got 4$/);
  // Field names in any spelling (as everywhere in nnlab); getConfig gives them in nnlab's, without defaults.
  assert.deepEqual(loader(data, { batch_size: 2, DropLast: false } as never).getConfig(), { batchSize: 2, dropLast: false });
  disposeDataset(data);
});
