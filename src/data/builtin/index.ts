// The built-in datasets by name, for experiment files ({ "builtin": "mnist" }).
import { unknownName } from '../../engine/errors.js';
import { loadFashionMnist } from './fashion-mnist.js';
import type { TrainTest } from './idx-files.js';
import { loadMnist } from './mnist.js';

export const BUILTIN_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type BuiltinName = (typeof BUILTIN_DATASETS)[number];

/** Loads a built-in dataset: its training set and its sealed test set. */
export function loadBuiltin(name: string, options: { cacheDir?: string } = {}, path = 'data.builtin'): TrainTest {
  switch (name) {
    case 'mnist':
      return loadMnist();
    case 'fashion-mnist': {
      const { train, test } = loadFashionMnist({ cacheDir: options.cacheDir });
      return { train, test };
    }
    default:
      throw unknownName(path, 'built-in dataset', name, BUILTIN_DATASETS);
  }
}

export { loadMnist, MNIST_CLASSES, type MnistOptions } from './mnist.js';
export { loadFashionMnist, loadFashionMnistIdx, FASHION_MNIST_CLASSES, type FashionMnistOptions, type FashionMnistInfo, type Duplicate } from './fashion-mnist.js';
export { loadIdxFolder, type TrainTest } from './idx-files.js';
