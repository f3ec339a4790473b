// The data pipeline's public surface: datasets, built-ins, image folders, tasks, splits, preprocessing,
// loaders and augmentation.
export * from './dataset.js';
export * from './test-set.js';
export * from './builtin/index.js';
export { loadImageFolder, loadImageFolderTrainTest, type ImageFolderConfig, type ImageFolder } from './image-folder.js';
export * from './tasks.js';
export * from './split.js';
export * from './preprocess.js';
export * from './loader.js';
export * from './augment.js';
export { cacheDir } from './cache.js';
export { withSeed, mixSeed } from './random.js';
