// Data preparation keeps the folder's order: an image folder is read class by class (as torchvision's
// ImageFolder gives it), and a random validation split (stratified or not) returns both parts in that order, so
// training with shuffle: false sees every cat before any dog, as seed 002 did. take: last would leave the last
// validation split to the last class alone, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DataLoader } from '../data/index.js';
import { ConfigError } from '../engine/errors.js';
import { packageRoot } from '../engine/native.js';
import { liveTensors, tidy } from '../tensor/index.js';
import { openStore } from '../store/index.js';
import { disposePrepared, prepareData } from './data-prep.js';
import { parseExperiment } from './experiment/index.js';
import { predictImages } from './predict.js';
import { runExperiment } from './runner.js';
import type { DataSpec } from './types.js';

async function folder(): Promise<string> {
  const { default: sharp } = await import('sharp');
  const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-order-'));
  for (const split of ['train', 'test']) {
    for (const [cls, shade] of [['cats', 40], ['dogs', 200]] as const) {
      mkdirSync(path.join(root, split, cls), { recursive: true });
      for (let i = 0; i < 10; i++) {
        await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: shade, g: i * 10, b: 0 } } }).png().toFile(path.join(root, split, cls, `${i}.png`));
      }
    }
  }
  return root;
}

const spec = (root: string, split: DataSpec['split']): DataSpec => ({
  dataset: { imageFolder: { path: root, cache: false } },
  task: 'multiclass',
  subset: null,
  split,
  preprocess: 'scale',
  augment: null,
  shuffle: false,
  flatten: false,
});

test('shuffle: false trains class by class in folder order after a random split, stratified or not', async () => {
  const root = await folder();
  const base = liveTensors().tensors;
  for (const split of [{ fraction: 0.2, take: 'random' as const, stratify: true }, { fraction: 0.3, take: 'random' as const, stratify: false, seed: 5 }]) {
    const data = await prepareData(spec(root, split), 1);
    try {
      const labels: number[] = [];
      for (const batch of new DataLoader(data.train, { batchSize: 4, shuffle: false }).epoch(0)) labels.push(...batch.y.toNumbers());
      const firstDog = labels.indexOf(1);
      assert.ok(firstDog > 0, 'cats first');
      assert.ok(labels.slice(0, firstDog).every((l) => l === 0) && labels.slice(firstDog).every((l) => l === 1), `class by class: ${labels.join('')}`);
      // Within a class the files keep their sorted order (the green channel grows with the file number).
      const green = tidy(() => data.train.x.select(1, 1).select(1, 0).select(1, 0).toNumbers()).slice(0, firstDog);
      assert.deepEqual(green, [...green].sort((a, b) => a - b));
    } finally {
      disposePrepared(data);
    }
  }
  await assert.rejects(prepareData(spec(root, { fraction: 0.2, take: 'last', stratify: false }), 1), /take 'last'\) of .* leaves class 'cats' \(10 samples\) with none in val/);
  assert.equal(liveTensors().tensors, base);
});

test('a random resized crop to another size: the model input follows the crop, as the evaluation splits do', async () => {
  const root = await folder();
  const base = liveTensors().tensors;
  const data = await prepareData({ ...spec(root, { fraction: 0.2 }), augment: { steps: ['flip', { name: 'randomResizedCrop', size: [5, 6] }] } }, 1);
  try {
    // Training images stay 8×8 (the crop is drawn per batch); validation and test are resized to the crop's size.
    assert.deepEqual(data.train.x.shape.slice(1), [3, 8, 8]);
    assert.deepEqual(data.val.x.shape.slice(1), [3, 5, 6]);
    assert.deepEqual(data.inputShape, [3, 5, 6]);
    assert.deepEqual(data.sampleShape, [3, 5, 6]);
  } finally {
    disposePrepared(data);
  }
  const flat = await prepareData({ ...spec(root, { fraction: 0.2 }), augment: { steps: [{ name: 'resize', size: 4 }] }, flatten: true }, 1);
  try {
    assert.deepEqual(flat.inputShape, [3 * 4 * 4], 'fixed steps and flattening as before');
  } finally {
    disposePrepared(flat);
  }
  assert.equal(liveTensors().tensors, base);
});

test('image folders: the file of every validation and test sample, through task, subset and a seeded split', async () => {
  const root = await folder();
  const base = liveTensors().tensors;
  const data = await prepareData({ ...spec(root, { fraction: 0.3, stratify: true }), task: { oneVsRest: 'dogs' }, subset: { perClass: 8 } }, 3);
  try {
    const files = data.files!;
    assert.equal(files.val.length, data.val.y.shape[0]);
    assert.equal(files.test.length, 20);
    // The green channel is 10 × the file number and the red one tells the class: each row matches its file.
    const red = tidy(() => data.val.x.select(1, 0).select(1, 0).select(1, 0).toNumbers());
    const green = tidy(() => data.val.x.select(1, 1).select(1, 0).select(1, 0).toNumbers());
    const labels = data.val.y.toNumbers();
    files.val.forEach((f, i) => {
      const [cls, name] = f.split('/');
      assert.equal(Math.round(green[i] * 255), 10 * Number(name.replace('.png', '')), `${f}: its own pixels`);
      assert.equal(red[i] > 0.5, cls === 'dogs', `${f}: its class`);
      assert.equal(labels[i], cls === 'dogs' ? 1 : 0, `${f}: its label`);
    });
    assert.equal(new Set(files.val).size, files.val.length);
  } finally {
    disposePrepared(data);
  }
  assert.equal(liveTensors().tensors, base);
});

test('data.view: sequence reads MNIST as 28 rows of 28 pixels: the same pixels as the image view, prepared apart from it', async () => {
  const base = liveTensors().tensors;
  const mnist = (view: DataSpec['view']): DataSpec => ({ ...spec('', { count: 10, take: 'random', stratify: true }), dataset: 'mnist', subset: { perClass: 4 }, view });
  const image = await prepareData(mnist('image'), 1);
  const rows = await prepareData(mnist('sequence'), 1);
  try {
    assert.deepEqual(image.inputShape, [1, 28, 28]);
    assert.deepEqual(rows.inputShape, [28, 28]);
    assert.deepEqual(rows.sampleShape, [1, 28, 28], 'a new image is still decoded as the images were');
    assert.deepEqual(rows.train.x.shape, [30, 28, 28]);
    assert.deepEqual(rows.test.sampleShape, [28, 28]);
    assert.deepEqual(tidy(() => rows.train.x.flatten().toNumbers()), tidy(() => image.train.x.flatten().toNumbers()), 'the same pixels, row after row');
    assert.notEqual(rows.key, image.key, 'prepared separately');
    assert.ok(!('view' in JSON.parse(image.key)), "the image view's key (and fingerprint) is the one it had before views");
  } finally {
    disposePrepared(image);
    disposePrepared(rows);
  }
  assert.equal(liveTensors().tensors, base);
});

test('examples/sequential-mnist-lstm.yaml (on a tiny subset, one epoch) trains an lstm over the rows, shows its summary, and its model predicts images', async () => {
  const file = path.join(packageRoot, 'examples', 'sequential-mnist-lstm.yaml');
  const text = readFileSync(file, 'utf8').replace('perClass: 2000', 'perClass: 10').replace('epochs: 3', 'epochs: 1').replace('evaluateTest: true', 'evaluateTest: false');
  const experiment = parseExperiment(text, file);
  assert.equal(experiment.cells[0].spec.data.view, 'sequence');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-seq-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  const base = liveTensors().tensors;
  const out: string[] = [];
  const stream = new Writable({ write: (c, _e, done) => void (out.push(String(c)), done()) }) as NodeJS.WritableStream;
  const outcome = await runExperiment(experiment, { store, artifactsDir: path.join(dir, 'runs'), stream, bar: false });
  assert.equal(liveTensors().tensors, base);
  const run = outcome.runs[0].record;
  assert.equal(run.status, 'completed', run.message ?? '');
  assert.ok(Number.isFinite(run.metrics.val?.accuracy));
  assert.match(out.join(''), /Input shape: \[28, 28\][\s\S]*lstm_1 \(lstm\)\s+\[128\]\s+80,896[\s\S]*dense_1 \(dense\)\s+\[10\]\s+1,290/);
  await store.close();
  // A digit saved as a PNG is read as its rows too: without the view the model would refuse [1, 28, 28].
  const { default: sharp } = await import('sharp');
  const png = path.join(dir, 'digit.png');
  await sharp(Buffer.alloc(28 * 28, 0).fill(255, 28 * 10, 28 * 18), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
  const [p] = await predictImages(path.join(dir, 'runs', `run-${run.id}`), [png]);
  assert.equal(Object.keys(p.probabilities).length, 10);
  assert.ok(Math.abs(Object.values(p.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-4);
});

test('data.view: sequence and flatten: true together are one error at data.view', () => {
  const text = `data: { dataset: mnist, view: sequence, flatten: true }
model: { layers: [ { type: lstm, units: 4 }, { type: dense, units: classes, activation: softmax } ] }
`;
  assert.throws(() => parseExperiment(text, 'seq.yaml'), (e: Error) => e instanceof ConfigError && /^seq\.yaml:1: data\.view: a sequence of rows cannot also be flattened/.test(e.message));
  assert.throws(() => parseExperiment(text.replace('view: sequence', 'view: rows').replace(', flatten: true', ''), 'seq.yaml'), /seq\.yaml:1: data\.view/);
});
