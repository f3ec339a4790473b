// A new user's image folder: flat root/<class>/ (no train/ and test/), three classes, a random resized crop to
// a smaller size, balanced class weights, precision/recall/f1 and a confusion matrix, a modelCheckpoint written
// with Keras's `filepath`. The run trains; `show` prints the confusion matrix; `export-predictions` names each
// sample's file; `predict --model` takes the checkpoint's folder. Hostile folders (a FIFO named like an image, a
// class name that is not UTF-8) and a misspelt augmentation are one line and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const COLOURS = { blue: [30, 40, 210], green: [30, 200, 40], red: [210, 30, 40] } as const;

/** root/<colour>/: 12 red, 8 green and 6 blue 12×12 images (uneven, for the balanced weights). */
async function makeFlatFolder(root: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  const counts = { red: 12, green: 8, blue: 6 };
  for (const [cls, rgb] of Object.entries(COLOURS)) {
    mkdirSync(path.join(root, cls), { recursive: true });
    for (let i = 0; i < counts[cls as keyof typeof counts]; i++) {
      const px = Buffer.alloc(12 * 12 * 3);
      for (let p = 0; p < 144; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.max(0, Math.min(255, rgb[c] + ((p * 31 + i * 7 + c * 13) % 31) - 15));
      await sharp(px, { raw: { width: 12, height: 12, channels: 3 } }).png().toFile(path.join(root, cls, `${cls}-${i}.png`));
    }
  }
}

const EXPERIMENT = `name: colours
seed: 3
data:
  dataset: { imageFolder: { path: colours } }
  split: { fraction: 0.25, stratify: true }
  augment: { steps: [{ name: RandomFlip, mode: vertical }, { name: randomResizedCrop, size: 8, scale: [0.5, 1] }] }
model: { template: cnn, filters: [4], kernelSize: 3 }
training:
  optimizer: { name: adam, lr: 0.02 }
  epochs: 8
  batchSize: 8
  metrics: [accuracy, precision, recall, f1, confusionMatrix]
  classWeight: balanced
  callbacks: [{ name: modelCheckpoint, filepath: 'checkpoints/epoch-{epoch}' }]
evaluateTest: true
`;

test('a flat image folder with a random crop to another size trains; show, export-predictions and predict --model on its checkpoint work', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-flat-'));
  try {
    await makeFlatFolder(path.join(work, 'colours'));
    writeFileSync(path.join(work, 'colours.yaml'), EXPERIMENT);
    const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab'), NNLAB_CACHE: path.join(work, 'cache') };
    const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8' });
    const run = nnlab(['run', 'colours.yaml', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!).runs[0];
    assert.equal(r.status, 'completed', r.message);
    assert.deepEqual(r.config.classes, ['blue', 'green', 'red']);
    assert.deepEqual(r.config.model.inputShape, [3, 8, 8], 'the model takes the crop size');
    // Multi-class precision, recall and f1 are macro means; the test set is the folder's sealed fifth.
    for (const k of ['precision', 'recall', 'f1']) assert.ok(r.metrics.val[k] >= 0 && r.metrics.val[k] <= 1, `${k} ${r.metrics.val[k]}`);
    const test = r.metrics.test.confusionMatrix as number[][];
    assert.deepEqual(test.map((row) => row.reduce((a, b) => a + b, 0)), [1, 2, 2], 'round(0.2 · 6, 8, 12) test images per class');

    const show = nnlab(['show', String(r.id)]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout + show.stderr, /test confusion matrix:\ntrue \\ predicted +blue +green +red +recall\nblue +\d+ +\d+ +\d+ /);

    const csv = path.join(work, 'val.csv');
    const exp = nnlab(['export-predictions', String(r.id), '--split', 'val', '--out', csv]);
    assert.equal(exp.status, 0, exp.stderr);
    const rows = readFileSync(csv, 'utf8').trim().split('\n').map((l) => l.split(','));
    assert.deepEqual(rows[0].slice(0, 4), ['index', 'file', 'true', 'predicted']);
    for (const row of rows.slice(1)) assert.equal(row[1].split('/')[0], row[2], `the file ${row[1]} is in its true class's folder`);

    const { default: sharp } = await import('sharp');
    const red = path.join(work, 'new-red.png');
    await sharp({ create: { width: 20, height: 16, channels: 3, background: { r: 220, g: 25, b: 35 } } }).png().toFile(red);
    const predict = nnlab(['predict', '--model', path.join(work, 'checkpoints', 'epoch-8'), red, '--json']);
    assert.equal(predict.status, 0, predict.stderr);
    assert.equal(JSON.parse(predict.stdout.trim().split('\n').pop()!).predictions[0].class, 'red');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a FIFO named like an image, a class name that is not UTF-8 and a misspelt augmentation: one line, exit 2, no hang', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-flat-bad-'));
  try {
    const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab'), NNLAB_CACHE: path.join(work, 'cache') };
    const cases: [string, () => void, string, RegExp][] = [
      ['a FIFO', () => execFileSync('mkfifo', [path.join(work, 'colours', 'red', 'pipe.png')]), EXPERIMENT, /colours\/red\/pipe\.png: is a FIFO \(named pipe\), not an image file/],
      ['a name that is not UTF-8', () => mkdirSync(Buffer.concat([Buffer.from(path.join(work, 'colours') + '/'), Buffer.from([0x62, 0xe9, 0x62])])), EXPERIMENT, /colours: the name 'b\\xe9b' is not valid UTF-8/],
      ['rotation', () => undefined, EXPERIMENT.replace('{ name: RandomFlip, mode: vertical }', '{ name: rotation, degrees: 10 }'), /unknown augmentation 'rotation' \(did you mean 'rotate'\?\)/],
    ];
    for (const [what, breakIt, experiment, message] of cases) {
      rmSync(path.join(work, 'colours'), { recursive: true, force: true });
      await makeFlatFolder(path.join(work, 'colours'));
      breakIt();
      writeFileSync(path.join(work, 'bad.yaml'), experiment);
      const r = spawnSync(process.execPath, [cli, 'run', 'bad.yaml', '--store', path.join(work, 'runs.db')], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 2, `${what}: exit ${r.status} ${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
