// The cats-and-dogs flow on a generated image folder: `nnlab run` with the cnn template on root/train and
// root/test (PNG and JPEG, resized, RGB, augmented), then `nnlab predict` names a class for a new image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';
import { writeIdx } from '../io/idx.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');

/** Red-ish "cats" and blue-ish "dogs" of random sizes, half PNG half JPEG. */
async function makeFolder(root: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  let k = 0;
  for (const split of ['train', 'test']) {
    for (const [cls, rgb] of [['cats', [200, 40, 40]], ['dogs', [40, 40, 200]]] as const) {
      const dir = path.join(root, split, cls);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < (split === 'train' ? 24 : 6); i++) {
        const w = 20 + (k % 7) * 3;
        const h = 18 + (k % 5) * 4;
        const px = Buffer.alloc(w * h * 3);
        for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.max(0, Math.min(255, rgb[c] + ((p * 37 + k * 11 + c * 5) % 41) - 20));
        const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
        await (k % 2 ? img.jpeg().toFile(path.join(dir, `${i}.jpg`)) : img.png().toFile(path.join(dir, `${i}.png`)));
        k++;
      }
    }
  }
}

test('an image-folder study with the cnn template trains, and predict names the class of a new image', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-images-'));
  await makeFolder(path.join(work, 'pets'));
  writeFileSync(
    path.join(work, 'pets.yaml'),
    `name: pets
seed: 2
data:
  dataset: { imageFolder: { path: pets, size: [16, 16], color: rgb } }
  split: { fraction: 0.25 }
  augment: { steps: [flip] }
model: { template: cnn, filters: [4], kernelSize: 3, batchNorm: true }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 6, batchSize: 8 }
evaluateTest: true
`,
  );
  const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab'), NNLAB_CACHE: path.join(work, 'cache') };
  const run = spawnSync(process.execPath, [cli, 'run', 'pets.yaml', '--json'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  const r = result.runs[0];
  assert.equal(r.status, 'completed');
  assert.deepEqual(r.config.classes, ['cats', 'dogs']);
  assert.ok(r.metrics.test.accuracy >= 0.9, `test accuracy ${r.metrics.test.accuracy} on an easy colour task`);

  const { default: sharp } = await import('sharp');
  const cat = path.join(work, 'new-cat.png');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 210, g: 30, b: 35 } } }).png().toFile(cat);
  const predict = spawnSync(process.execPath, [cli, 'predict', '--run', String(r.id), cat, '--json'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(predict.status, 0, predict.stderr);
  const p = JSON.parse(predict.stdout.trim().split('\n').pop()!).predictions[0];
  assert.equal(p.class, 'cats');
  assert.match(predict.stderr, /new-cat\.png: cats \(\d+\.\d%\)/);
});

test('bad image folders and IDX files: `nnlab run` exits non-zero naming the file, without a stack trace, storing nothing', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-bad-images-'));
  const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab'), NNLAB_CACHE: path.join(work, 'cache') };
  const experiment = (dataset: string) =>
    `seed: 1\ndata: { dataset: ${dataset}, split: { fraction: 0.25 } }\nmodel: { template: cnn, filters: [4] }\ntraining: { epochs: 1, batchSize: 8 }\n`;
  const cases: [string, () => void, string, RegExp][] = [
    ['a truncated image', () => writeFileSync(path.join(work, 'pets', 'train', 'cats', '0.png'), readFileSync(path.join(work, 'pets', 'train', 'cats', '0.png')).subarray(0, 40)), '{ imageFolder: { path: pets, size: 16 } }', /pets\/train\/cats\/0\.png: cannot decode the image/],
    ['a file that is not an image', () => writeFileSync(path.join(work, 'pets', 'train', 'dogs', '2.png'), 'not a picture'), '{ imageFolder: { path: pets, size: 16 } }', /pets\/train\/dogs\/2\.png: cannot decode the image/],
    ['an empty class folder', () => mkdirSync(path.join(work, 'pets', 'train', 'birds')), '{ imageFolder: { path: pets, size: 16 } }', /pets\/train\/birds: class folder 'birds' holds no images/],
    ['train and test with different classes', () => {
      mkdirSync(path.join(work, 'pets', 'test', 'birds'));
      writeFileSync(path.join(work, 'pets', 'test', 'birds', '0.png'), readFileSync(path.join(work, 'pets', 'test', 'cats', '0.png')));
    }, '{ imageFolder: { path: pets, size: 16 } }', /pets: train and test have different class folders: train \[cats, dogs\], test \[birds, cats, dogs\]/],
    ['a missing folder', () => undefined, '{ imageFolder: { path: nowhere, size: 16 } }', /nowhere: cannot read the folder \(ENOENT\)/],
    ['a truncated IDX file', () => {
      mkdirSync(path.join(work, 'idx'), { recursive: true });
      for (const [prefix, n] of [['train', 20], ['t10k', 10]] as const) {
        writeIdx(path.join(work, 'idx', `${prefix}-images-idx3-ubyte`), { dtype: 'uint8', shape: [n, 28, 28], data: new Uint8Array(n * 784) });
        writeIdx(path.join(work, 'idx', `${prefix}-labels-idx1-ubyte`), { dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
      }
      const images = path.join(work, 'idx', 'train-images-idx3-ubyte');
      writeFileSync(images, readFileSync(images).subarray(0, 1000));
    }, '{ idx: idx }', /idx\/train-images-idx3-ubyte/],
  ];
  for (const [what, breakIt, dataset, message] of cases) {
    rmSync(path.join(work, 'pets'), { recursive: true, force: true });
    await makeFolder(path.join(work, 'pets'));
    breakIt();
    writeFileSync(path.join(work, 'bad.yaml'), experiment(dataset));
    const store = path.join(work, 'runs.db');
    const r = spawnSync(process.execPath, [cli, 'run', 'bad.yaml', '--store', store], { cwd: work, env, encoding: 'utf8' });
    assert.notEqual(r.status, 0, `${what}: exit ${r.status}`);
    assert.match(r.stderr, message, what);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
    const s = await openStore(store);
    assert.deepEqual([await s.listRuns(), await s.listStudies()], [[], []], `${what}: nothing stored`);
    await s.close();
    assert.ok(!readdirSync(work).includes('.nnlab') || !readdirSync(path.join(work, '.nnlab')).includes('artifacts'), `${what}: no weights written`);
  }
});
