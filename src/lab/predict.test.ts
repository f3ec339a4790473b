// Predicting images from a saved folder: a folder modelCheckpoint wrote during training is predictable as a run's
// model is; a model whose outputs are not finite is an error, never a prediction; a FIFO or device as an image is
// refused at once (no hang).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { manualSeed } from '../engine/seed.js';
import { Sequential } from '../nn/model.js';
import { noGrad, ops, tidy } from '../tensor/index.js';
import { makeDataset, disposeDataset } from '../data/index.js';
import { Trainer } from '../train/trainer.js';
import { ModelCheckpoint } from '../train/callbacks/model-checkpoint.js';
import { callback } from '../train/callbacks/registry.js';
import { saveModel } from '../train/model-io.js';
import { predictImages } from './predict.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnlab-predict-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A solid-colour PNG of 6×6. */
async function image(file: string, rgb: [number, number, number]): Promise<string> {
  const { default: sharp } = await import('sharp');
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(file);
  return file;
}

/** What a run saves beside the weights for 3×4×4 images, scaled to [0, 1], flattened. */
const INFO = { classes: ['red', 'blue'], preprocess: { config: { name: 'scale' as const } }, sampleShape: [3, 4, 4], flatten: true, transforms: [] };

test('a folder modelCheckpoint wrote (Keras spelling filepath) is predictable as a run model is', async () => {
  manualSeed(3);
  // Red images are class 0, blue ones class 1: [N, 48] flattened, scaled.
  const n = 32;
  const data = tidy(() => {
    const y = ops.remainder(ops.arange(0, n, 1, 'int64'), 2);
    const red = y.eq(0).to('float32').reshape([n, 1, 1, 1]);
    const channel = ops.cat([red, red.neg().add(1).mul(0.2), red.neg().add(1)], 1).expand([n, 3, 4, 4]);
    return makeDataset({ name: 'colours', x: ops.flatten(channel, 1), y, classes: INFO.classes });
  });
  const model = new Sequential({ inputShape: [48], layers: [{ type: 'dense', units: 2, activation: 'softmax' }] });
  const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.1 }, loss: 'sparseCategoricalCrossentropy' });
  const dir = path.join(tmp, 'ckpt-{epoch}');
  const fromConfig = callback({ name: 'modelCheckpoint', filepath: dir, monitor: 'loss' });
  assert.ok(fromConfig instanceof ModelCheckpoint);
  await trainer.fit(data, { epochs: 3, batchSize: 8, seed: 1, callbacks: [fromConfig], modelInfo: INFO });
  trainer.dispose();
  model.dispose();
  disposeDataset(data);
  const red = await image(path.join(tmp, 'in', 'red.png'), [250, 0, 0]);
  const blue = await image(path.join(tmp, 'in', 'blue.png'), [0, 50, 255]);
  const p = await predictImages(path.join(tmp, 'ckpt-3'), [red, blue]);
  assert.deepEqual(p.map((q) => q.class), ['red', 'blue']);
  assert.ok(p.every((q) => q.probability > 0.5 && Number.isFinite(q.probability)));
  // The library spelling too: new ModelCheckpoint({ filepath }), and exactly one of path and filepath.
  assert.throws(() => new ModelCheckpoint({}), /modelCheckpoint\.path: give the folder to save to as path \(or filepath, as Keras\), once/);
  assert.throws(() => callback({ name: 'modelCheckpoint', path: 'a', filepath: 'b' }, 'training.callbacks[0]'), ConfigError);
});

test('outputs that are not finite are an error naming the file, not "undefined (NaN%)"', async () => {
  const model = new Sequential({ inputShape: [48], layers: [{ type: 'dense', units: 2, activation: 'softmax' }] });
  // Finite weights so large that every logit overflows: softmax of ±infinity is NaN.
  tidy(() => {
    const sd = model.stateDict();
    noGrad(() => sd['0.weight'].copy_(ops.fullLike(sd['0.weight'], 3e38)));
  });
  const dir = path.join(tmp, 'overflow');
  saveModel(dir, model, INFO);
  model.dispose();
  const red = await image(path.join(tmp, 'in', 'red2.png'), [250, 10, 10]);
  await assert.rejects(predictImages(dir, [red]), (e: Error) => e instanceof NnlabError && e.message.startsWith(`${dir}: the model's output for ${red} is not a number (NaN, NaN)`));
});

test('a FIFO or /dev/zero given as an image is refused at once with one line (exit 2)', async () => {
  const model = new Sequential({ inputShape: [48], layers: [{ type: 'dense', units: 2, activation: 'softmax' }] });
  const dir = path.join(tmp, 'plain');
  saveModel(dir, model, INFO);
  model.dispose();
  const fifo = path.join(tmp, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(predictImages(dir, [fifo]), (e: Error) => e instanceof ConfigError && e.message === `${fifo}: is a FIFO (named pipe), not a regular file; only regular files are read`);
  const zero = path.join(tmp, 'zero.png');
  symlinkSync('/dev/zero', zero);
  await assert.rejects(predictImages(dir, [zero]), (e: Error) => e instanceof ConfigError && /zero\.png: is a character device, not a regular file/.test(e.message));
});
