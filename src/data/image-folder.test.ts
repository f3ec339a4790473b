// Image folders on fixtures generated here with sharp from known pixel arrays.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { liveTensors, ops, tidy } from '../tensor/index.js';
import { classCounts, disposeDataset } from './dataset.js';
import { loadImageFolder, loadImageFolderTrainTest } from './image-folder.js';
import { decodeImage } from './decode-image.js';
import { ConfigError } from '../engine/errors.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnlab-images-'));
const cacheDir = path.join(tmp, 'cache');
after(() => rmSync(tmp, { recursive: true, force: true }));

const W = 4;
const H = 3;
/** A W×H RGB image (HWC bytes) with pixel (r, c) = [seed + 10r + c, 2·that, 255 - that]. */
function pixels(seed: number): Buffer {
  return Buffer.from(Array.from({ length: H * W }, (_, k) => seed + 10 * Math.floor(k / W) + (k % W)).flatMap((v) => [v, 2 * v, 255 - v]));
}
/** HWC bytes in the CHW order the dataset uses. */
const chw = (hwc: Buffer, c = 3): number[] => Array.from({ length: c }, (_, ch) => Array.from({ length: hwc.length / c }, (_, p) => hwc[p * c + ch])).flat();

async function write(file: string, data: Buffer, format: 'png' | 'jpeg' | 'webp', size = [W, H], channels: 1 | 3 = 3): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp(data, { raw: { width: size[0], height: size[1], channels } });
  await (format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 100 }) : img.webp({ lossless: true })).toFile(file);
}

/** root/cats: a.png, b.jpg; root/dogs: c.png, d.webp; plus files to ignore. */
async function fixture(name: string): Promise<string> {
  const root = path.join(tmp, name);
  await write(path.join(root, 'cats', 'a.png'), pixels(0), 'png');
  await write(path.join(root, 'cats', 'b.jpg'), pixels(40), 'jpeg');
  await write(path.join(root, 'dogs', 'c.png'), pixels(80), 'png');
  await write(path.join(root, 'dogs', 'd.webp'), pixels(120), 'webp');
  writeFileSync(path.join(root, 'dogs', 'notes.txt'), 'not an image');
  writeFileSync(path.join(root, 'cats', '.DS_Store'), '');
  return root;
}

test('decodes PNG, JPEG and WebP into x uint8 [N, 3, H, W] with class names from the folders', async () => {
  const base = liveTensors().tensors;
  const root = await fixture('basic');
  const r = await loadImageFolder({ path: root, cacheDir, concurrency: 2 });
  assert.equal(r.fromCache, false);
  assert.deepEqual(r.dataset.classes, ['cats', 'dogs']);
  assert.deepEqual(r.files, ['cats/a.png', 'cats/b.jpg', 'dogs/c.png', 'dogs/d.webp']);
  assert.deepEqual(r.dataset.x.shape, [4, 3, H, W]);
  assert.equal(r.dataset.x.dtype, 'uint8');
  assert.deepEqual(r.dataset.y.toNumbers(), [0, 0, 1, 1]);
  const sample = (i: number) => tidy(() => r.dataset.x.select(0, i).flatten().toNumbers());
  assert.deepEqual(sample(0), chw(pixels(0)), 'PNG is lossless');
  assert.deepEqual(sample(2), chw(pixels(80)));
  assert.deepEqual(sample(3), chw(pixels(120)), 'lossless WebP');
  const jpegError = sample(1).reduce((s, v, k) => s + Math.abs(v - chw(pixels(40))[k]), 0) / (3 * H * W);
  assert.ok(jpegError < 4, `JPEG within compression error (mean |diff| ${jpegError})`);

  // The second load reads the cache; the same data.
  const again = await loadImageFolder({ path: root, cacheDir });
  assert.equal(again.fromCache, true);
  assert.ok(tidy(() => ops.equal(again.dataset.x, r.dataset.x)));
  assert.deepEqual(again.files, r.files);
  // A changed file invalidates it.
  await write(path.join(root, 'cats', 'a.png'), pixels(1), 'png');
  const changed = await loadImageFolder({ path: root, cacheDir });
  assert.equal(changed.fromCache, false);
  assert.equal(tidy(() => changed.dataset.x.select(0, 0).flatten().toNumbers())[0], 1);
  for (const d of [r, again, changed]) disposeDataset(d.dataset);
  assert.equal(liveTensors().tensors, base);
});

test('grayscale, and resizing to a given size', async () => {
  const root = path.join(tmp, 'gray');
  const gray = Buffer.from(Array.from({ length: H * W }, (_, k) => 7 * k));
  await write(path.join(root, 'x', 'g.png'), gray, 'png', [W, H], 1);
  // A solid 9×5 image: resized to 2×3 it keeps its colour exactly.
  await write(path.join(root, 'y', 's.png'), Buffer.alloc(9 * 5 * 3, 77), 'png', [9, 5]);
  const g = await loadImageFolder({ path: path.join(root), color: 'grayscale', cache: false, size: [H, W] });
  assert.deepEqual(g.dataset.x.shape, [2, 1, H, W]);
  assert.deepEqual(tidy(() => g.dataset.x.select(0, 0).flatten().toNumbers()), [...gray]);
  assert.deepEqual(tidy(() => g.dataset.x.select(0, 1).flatten().toNumbers()), Array(H * W).fill(77));
  const rgb = await loadImageFolder({ path: root, size: [2, 3], cache: false });
  assert.deepEqual(rgb.dataset.x.shape, [2, 3, 2, 3]);
  assert.deepEqual(tidy(() => rgb.dataset.x.select(0, 1).flatten().toNumbers()), Array(18).fill(77));
  // A grayscale file in an RGB dataset has three equal channels.
  assert.deepEqual(tidy(() => rgb.dataset.x.select(0, 0).select(0, 0).toNumbers()), tidy(() => rgb.dataset.x.select(0, 0).select(0, 2).toNumbers()));
  disposeDataset(g.dataset);
  disposeDataset(rgb.dataset);
});

test('mixed sizes without a resize are an error naming two files and their sizes', async () => {
  const root = path.join(tmp, 'mixed');
  await write(path.join(root, 'a', '1.png'), pixels(0), 'png');
  await write(path.join(root, 'b', '2.png'), Buffer.alloc(5 * 5 * 3), 'png', [5, 5]);
  await assert.rejects(loadImageFolder({ path: root, cache: false }), /images differ in size: a\/1\.png is 4×3, b\/2\.png is 5×5; give a size to resize them/);
});

test('a truncated image is an error naming the file, or skipped with a warning under skipInvalid', async () => {
  const base = liveTensors().tensors;
  const root = await fixture('broken');
  const jpeg = path.join(root, 'cats', 'b.jpg');
  const bytes = readFileSync(jpeg);
  writeFileSync(jpeg, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(loadImageFolder({ path: root, cacheDir }), (e: Error) => e.message.startsWith(jpeg) && /cannot decode the image .*skipInvalid: true/.test(e.message));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const r = await loadImageFolder({ path: root, cacheDir, skipInvalid: true });
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.deepEqual(r.files, ['cats/a.png', 'dogs/c.png', 'dogs/d.webp']);
  assert.deepEqual(r.skipped.map((s) => s.file), ['cats/b.jpg']);
  assert.deepEqual(classCounts(r.dataset), [1, 2]);
  assert.ok(warnings.some((w) => /skipped 1 image.*cats\/b\.jpg/s.test(w)), warnings.join('\n'));
  // Cached with the skip recorded.
  const again = await loadImageFolder({ path: root, cacheDir, skipInvalid: true });
  assert.equal(again.fromCache, true);
  assert.deepEqual(again.skipped.map((s) => s.file), ['cats/b.jpg']);
  disposeDataset(r.dataset);
  disposeDataset(again.dataset);
  assert.equal(liveTensors().tensors, base);
});

test('empty class folders, missing paths and folders without classes are clear errors', async () => {
  const root = path.join(tmp, 'empty');
  await write(path.join(root, 'cats', 'a.png'), pixels(0), 'png');
  mkdirSync(path.join(root, 'dogs'));
  writeFileSync(path.join(root, 'dogs', 'readme.md'), '');
  await assert.rejects(loadImageFolder({ path: root, cache: false }), new RegExp(`${path.join(root, 'dogs')}: class folder 'dogs' holds no images`));
  await assert.rejects(loadImageFolder({ path: path.join(tmp, 'nope') }), /nope: cannot read the folder \(ENOENT\)/);
  await assert.rejects(loadImageFolder({ path: path.join(root, 'cats') }), /no class folders; expected one subfolder per class/);
  await assert.rejects(loadImageFolder({ path: root, color: 'rbg' } as never), /data\.color: unknown value 'rbg' \(did you mean 'rgb'\?\); valid: rgb, grayscale/);
});

test('train/test folders: the test set arrives sealed; different classes are an error', async () => {
  const root = path.join(tmp, 'tt');
  for (const part of ['train', 'test']) {
    await write(path.join(root, part, 'cats', 'a.png'), pixels(0), 'png');
    await write(path.join(root, part, 'dogs', 'b.png'), pixels(9), 'png');
  }
  const r = await loadImageFolderTrainTest({ path: root, cache: false });
  assert.equal(r.train.name, 'tt/train');
  assert.equal(r.test.size, 2);
  assert.deepEqual(r.test.classes, ['cats', 'dogs']);
  disposeDataset(r.train);
  r.test.dispose();
  await write(path.join(root, 'test', 'foxes', 'c.png'), pixels(3), 'png');
  const base = liveTensors().tensors;
  await assert.rejects(loadImageFolderTrainTest({ path: root, cache: false }), /train and test have different class folders: train \[cats, dogs\], test \[cats, dogs, foxes\]/);
  assert.equal(liveTensors().tensors, base);
});

test('a flat root/<class>/ folder is taken whole, with a fixed stratified share of every class sealed as the test set', async () => {
  const base = liveTensors().tensors;
  const root = path.join(tmp, 'flat');
  for (let i = 0; i < 10; i++) await write(path.join(root, 'cats', `c${i}.png`), pixels(i), 'png');
  for (let i = 0; i < 5; i++) await write(path.join(root, 'dogs', `d${i}.png`), pixels(100 + i), 'png');
  const r = await loadImageFolderTrainTest({ path: root, cacheDir });
  assert.equal(r.train.name, 'flat/train');
  assert.equal(r.test.name, 'flat/test');
  assert.deepEqual(r.train.classes, ['cats', 'dogs']);
  // 0.2 of each class: 2 cats and 1 dog; the rest trains. Files follow their samples.
  assert.equal(r.test.size, 3);
  assert.deepEqual(classCounts(r.train), [8, 4]);
  assert.equal(r.files.train.length, 12);
  assert.deepEqual(r.files.test.map((f) => f.split('/')[0]), ['cats', 'cats', 'dogs']);
  assert.deepEqual([...r.files.train, ...r.files.test].sort(), [...Array(10).keys()].map((i) => `cats/c${i}.png`).concat([...Array(5).keys()].map((i) => `dogs/d${i}.png`)).sort());
  // The first pixel of each sample is its file's seed: the data and the names agree.
  const firstPixels = tidy(() => r.train.x.select(1, 0).select(1, 0).select(1, 0).toNumbers());
  assert.deepEqual(firstPixels, r.files.train.map((f) => Number(/\d+/.exec(path.basename(f))![0]) + (f.startsWith('dogs') ? 100 : 0)));
  // The same images every time (from the cache too), and a different share with testSplit.
  const again = await loadImageFolderTrainTest({ path: root, cacheDir });
  assert.deepEqual(again.files, r.files);
  const half = await loadImageFolderTrainTest({ path: root, cacheDir, testSplit: 0.5 });
  assert.equal(half.test.size, 5 + 3);
  for (const d of [r, again, half]) {
    disposeDataset(d.train);
    d.test.dispose();
  }
  assert.equal(liveTensors().tensors, base);
  // A class too small to hold one out, and testSplit on a folder with train/ and test/, are clear errors.
  await write(path.join(root, 'owls', 'o.png'), pixels(7), 'png');
  await assert.rejects(loadImageFolderTrainTest({ path: root, cacheDir }, 'data.dataset.imageFolder'), /data\.dataset\.imageFolder\.testSplit: .*flat\/owls holds 1 image; a flat folder's test split needs at least 2 per class/);
  const tt = path.join(tmp, 'tt2');
  for (const part of ['train', 'test']) await write(path.join(tt, part, 'cats', 'a.png'), pixels(0), 'png');
  await assert.rejects(loadImageFolderTrainTest({ path: tt, testSplit: 0.3 }), /testSplit: .* has its own train\/ and test\/ folders/);
  assert.equal(liveTensors().tensors, base);
});

test('entries named like images that are not regular files are refused at once (never opened); symlinks to images are read', async () => {
  const root = await fixture('special');
  symlinkSync(path.join(root, 'cats', 'a.png'), path.join(root, 'dogs', 'linked.png'));
  const linked = await loadImageFolder({ path: root, cache: false });
  assert.deepEqual(linked.files, ['cats/a.png', 'cats/b.jpg', 'dogs/c.png', 'dogs/d.webp', 'dogs/linked.png']);
  disposeDataset(linked.dataset);
  // A FIFO would block a reader forever; /dev/zero would never end.
  execFileSync('mkfifo', [path.join(root, 'cats', 'pipe.png')]);
  await assert.rejects(loadImageFolder({ path: root, cache: false }), (e: Error) => e instanceof ConfigError && e.message === `${path.join(root, 'cats', 'pipe.png')}: is a FIFO (named pipe), not an image file; an image folder holds regular image files only (or set skipInvalid: true to skip such entries)`);
  rmSync(path.join(root, 'cats', 'pipe.png'));
  symlinkSync('/dev/zero', path.join(root, 'cats', 'zero.jpg'));
  await assert.rejects(loadImageFolder({ path: root, cache: false }), /cats\/zero\.jpg: is a character device, not an image file/);
  const skipped = await loadImageFolder({ path: root, cache: false, skipInvalid: true });
  assert.equal(skipped.files.length, 5);
  disposeDataset(skipped.dataset);
  // The decoder itself reads only regular files, within a size cap (what predict uses).
  const { default: sharpLib } = await import('sharp');
  await assert.rejects(decodeImage(sharpLib, path.join(root, 'cats', 'zero.jpg'), { size: null, fit: 'fill', color: 'rgb', channels: 3 }), /zero\.jpg: is a character device, not a regular file/);
});

test('a class or image name that is not valid UTF-8 is one clear error (exit 2), not a stack trace', async () => {
  const root = await fixture('bytes');
  const bad = Buffer.concat([Buffer.from(path.join(root, 'cats') + '/'), Buffer.from([0x66, 0xff, 0xfe]), Buffer.from('.png')]);
  writeFileSync(bad, readFileSync(path.join(root, 'cats', 'a.png')));
  await assert.rejects(loadImageFolder({ path: root, cache: false }), (e: Error) => e instanceof ConfigError && e.message === `${path.join(root, 'cats')}: the name 'f\\xff\\xfe.png' is not valid UTF-8; rename it (class and image names must be text)`);
  rmSync(bad);
  mkdirSync(Buffer.concat([Buffer.from(root + '/'), Buffer.from([0xc3, 0x28])]));
  await assert.rejects(loadImageFolder({ path: root, cache: false }), new RegExp(`: ${root}: the name '\\\\xc3\\(' is not valid UTF-8`));
});
