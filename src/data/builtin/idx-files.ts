// Datasets stored as IDX files in the official MNIST layout: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each plain or with a .gz suffix. MNIST, Fashion-MNIST and
// nnlab's own Fashion-MNIST cache all use it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { IdxError, readIdx } from '../../io/idx.js';
import { tensor, tidy } from '../../tensor/index.js';
import { DatasetError, makeDataset, type Dataset } from '../dataset.js';
import { TestSet } from '../test-set.js';

/** A training set to split as one likes, and the sealed test set. */
export interface TrainTest {
  train: Dataset;
  test: TestSet;
}

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The path of `base` or `base.gz` in dir; an error listing what was looked for when neither exists. */
export function findIdxFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new DatasetError(
    `${dir}: missing ${base} (or ${base}.gz); an IDX dataset folder holds ${Object.values(IDX_FILES).join(', ')}`,
  );
}

/** Images [N, H, W] and labels [N] from two IDX files as a dataset with x uint8 [N, 1, H, W] and y int64 [N]. */
export function loadIdxImages(imagesFile: string, labelsFile: string, classes: readonly string[], name: string): Dataset {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new IdxError(imagesFile, `expected uint8 images [N, H, W], found ${images.dtype} [${images.shape.join(', ')}]`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new IdxError(labelsFile, `expected uint8 labels [N], found ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  if (images.shape[0] !== labels.shape[0]) {
    throw new IdxError(
      labelsFile,
      `holds ${labels.shape[0]} labels but ${imagesFile} holds ${images.shape[0]} images`,
    );
  }
  const [n, h, w] = images.shape;
  const parts = tidy(() => ({
    x: tensor(images.data, [n, 1, h, w]),
    y: tensor(labels.data, [n]).to('int64'),
  }));
  try {
    return makeDataset({ name, classes, ...parts });
  } catch (e) {
    parts.x.dispose();
    parts.y.dispose();
    throw e instanceof DatasetError ? new DatasetError(`${labelsFile}: ${e.message}`) : e;
  }
}

/** The training set and the sealed test set from a folder of the four IDX files. */
export function loadIdxFolder(dir: string, classes: readonly string[], name: string): TrainTest {
  const train = loadIdxImages(findIdxFile(dir, IDX_FILES.trainImages), findIdxFile(dir, IDX_FILES.trainLabels), classes, `${name}/train`);
  try {
    const test = loadIdxImages(findIdxFile(dir, IDX_FILES.testImages), findIdxFile(dir, IDX_FILES.testLabels), classes, `${name}/test`);
    return { train, test: new TestSet(test) };
  } catch (e) {
    train.x.dispose();
    train.y.dispose();
    throw e;
  }
}
