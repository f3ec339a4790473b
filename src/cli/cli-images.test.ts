// The cats-and-dogs flow on a generated image folder: `nnlab run` with the cnn template on root/train and
// root/test (PNG and JPEG, resized, RGB, augmented), then `nnlab predict` names a class for a new image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

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
  const predict = spawnSync(process.execPath, [cli, 'predict', '--model', path.join(work, '.nnlab', 'runs', `run-${r.id}`), cat, '--json'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(predict.status, 0, predict.stderr);
  const p = JSON.parse(predict.stdout.trim().split('\n').pop()!).predictions[0];
  assert.equal(p.class, 'cats');
  assert.match(predict.stderr, /new-cat\.png: cats \(\d+\.\d%\)/);
});
