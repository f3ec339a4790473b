// A dataset is two native tensors and the class names: x holds the samples (N×C×H×W images, uint8 0-255 as
// loaded or float32 after preprocessing, or N×F features), y the class indices (int64, N). It is a plain
// object, so a tidy() that returns it keeps its tensors. Helpers here work on whole tensors, never per sample.
import { ConfigError, NnlabError, unknownName } from '../engine/errors.js';
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';

export interface Dataset {
  /** A name for messages and reports (e.g. 'mnist/train'). */
  readonly name: string;
  /** Samples, first dimension N. */
  readonly x: Tensor;
  /** Class indices 0..classes.length-1, int64 [N]. */
  readonly y: Tensor;
  /** Class names, by index; kept so predictions can be named. */
  readonly classes: readonly string[];
}

/** Data that cannot be used as given (inconsistent sizes, labels out of range, empty classes...). */
export class DatasetError extends NnlabError {
  override name = 'DatasetError';
}

/** Checks the parts of a dataset fit together and returns it as a Dataset. */
export function makeDataset(parts: { name: string; x: Tensor; y: Tensor; classes: readonly string[] }): Dataset {
  const { name, x, y, classes } = parts;
  if (y.dtype !== 'int64' || y.rank !== 1) {
    throw new DatasetError(`${name}: labels must be int64 [N], got ${y.dtype} [${y.shape.join(', ')}]`);
  }
  if (x.rank < 2 || x.shape[0] !== y.shape[0]) {
    throw new DatasetError(`${name}: ${x.shape[0] ?? 0} samples (x [${x.shape.join(', ')}]) but ${y.shape[0]} labels`);
  }
  if (classes.length === 0) throw new DatasetError(`${name}: no class names`);
  if (y.shape[0] > 0) {
    const [lo, hi] = tidy(() => [ops.min(y).item(), ops.max(y).item()]);
    if (lo < 0 || hi >= classes.length) {
      throw new DatasetError(`${name}: labels range over ${lo}..${hi}, but there are ${classes.length} classes (0..${classes.length - 1})`);
    }
  }
  return { name, x, y, classes: [...classes] };
}

/** The number of samples. */
export function datasetSize(ds: Dataset): number {
  return ds.y.shape[0];
}

/** Samples per class, by class index (one bincount). */
export function classCounts(ds: Dataset): number[] {
  return tidy(() => ops.bincount(ds.y, null, ds.classes.length).toNumbers());
}

/** Samples per class, by class name. */
export function classCountsByName(ds: Dataset): Record<string, number> {
  const counts = classCounts(ds);
  return Object.fromEntries(ds.classes.map((c, i) => [c, counts[i]]));
}

/** The samples at `indices` (int32/int64 tensor or numbers), gathered with one index_select per tensor. */
export function subset(ds: Dataset, indices: Tensor | readonly number[], name = ds.name): Dataset {
  return tidy(() => {
    const idx = Array.isArray(indices) ? tensor(Float64Array.from(indices), [indices.length], 'int64') : (indices as Tensor);
    return { name, x: ops.indexSelect(ds.x, 0, idx), y: ops.indexSelect(ds.y, 0, idx), classes: ds.classes };
  });
}

/**
 * The same samples with each one flattened to a feature vector (N×C×H×W → N×CHW), as an MLP takes them.
 * The new tensors are views: no copy, and disposing either dataset leaves the other intact.
 */
export function flattenFeatures(ds: Dataset): Dataset {
  return { name: ds.name, x: ops.flatten(ds.x, 1, -1), y: ops.detach(ds.y), classes: ds.classes };
}

/**
 * Images N×C×H×W read as sequences of their rows, N×H×(W·C): H steps of W·C features each, every pixel's channels
 * side by side (channels last, as Keras users reshape them). MNIST's 1×28×28 becomes 28 steps of 28 features,
 * the sequential-MNIST exercise. A view where the channels are one; otherwise a copy.
 */
export function imagesAsSequences(x: Tensor): Tensor {
  if (x.rank !== 4) throw new DatasetError(`reading samples as sequences of rows needs images [N, C, H, W], got [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  return tidy(() => ops.permute(x, [0, 2, 3, 1]).reshape([n, h, w * c]));
}

/** The same samples as sequences of image rows (imagesAsSequences); disposing either dataset leaves the other intact. */
export function sequenceFeatures(ds: Dataset): Dataset {
  return { name: ds.name, x: imagesAsSequences(ds.x), y: ops.detach(ds.y), classes: ds.classes };
}

/** A new Dataset object whose tensors are views of `ds`'s: no copy, and disposing either leaves the other intact. */
export function aliasDataset(ds: Dataset, name = ds.name): Dataset {
  return { name, x: ops.detach(ds.x), y: ops.detach(ds.y), classes: ds.classes };
}

/** Frees a dataset's tensors. */
export function disposeDataset(ds: Dataset): void {
  ds.x.dispose();
  ds.y.dispose();
}

/**
 * A class given by name or by index, as its index. `path` names the config field for errors (an unknown name
 * lists the valid ones).
 */
export function classIndex(ds: { classes: readonly string[] }, cls: string | number, path = 'class'): number {
  if (typeof cls === 'number') {
    if (Number.isInteger(cls) && cls >= 0 && cls < ds.classes.length) return cls;
    throw new ConfigError(path, `class index ${cls} is out of range 0..${ds.classes.length - 1} (classes: ${ds.classes.join(', ')})`);
  }
  const i = ds.classes.indexOf(cls);
  if (i >= 0) return i;
  if (/^\d+$/.test(cls) && Number(cls) < ds.classes.length && !ds.classes.includes(cls)) return Number(cls);
  throw unknownName(path, 'class', cls, ds.classes);
}
