// Keras's `classWeight`: a weight per class, turned into one weight per sample for Loss.compute. Classes
// the map does not name weigh 1, as in Keras.
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError } from '../engine/errors.js';

/** Class index -> weight, e.g. `{ 0: 1, 1: 5 }` (JSON keys are strings: '0', '1'). */
export type ClassWeight = Record<string | number, number>;

/** Checks a classWeight map: keys are class indices (integers >= 0), weights finite numbers >= 0. */
export function checkClassWeight(classWeight: unknown, path = 'classWeight'): ClassWeight {
  if (classWeight === null || typeof classWeight !== 'object' || Array.isArray(classWeight)) {
    throw new ConfigError(path, `expected a map from class index to weight, e.g. { "0": 1, "1": 5 }, got ${JSON.stringify(classWeight)}`);
  }
  for (const [k, v] of Object.entries(classWeight)) {
    if (!/^(0|[1-9]\d*)$/.test(k)) throw new ConfigError(`${path}.${k}`, 'class indices are integers >= 0');
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${path}.${k}`, `expected a weight >= 0, got ${JSON.stringify(v)}`);
  }
  return classWeight as ClassWeight;
}

/**
 * One weight per sample, [N] float32, from the targets of a batch: integer labels [N] or [N, 1] (binary
 * targets 0/1 are rounded), or one-hot rows [N, C] (their argmax). One native gather, no JS loop.
 */
export function sampleWeightsFromClassWeight(classWeight: ClassWeight, yTrue: Tensor): Tensor {
  const weights = Object.entries(checkClassWeight(classWeight));
  const size = weights.reduce((m, [k]) => Math.max(m, Number(k) + 1), 0);
  // table[c] is the weight of class c; the extra last entry (1) serves every class the map does not name.
  const table = new Array<number>(size + 1).fill(1);
  for (const [k, v] of weights) table[Number(k)] = v;
  return tidy(() => {
    const oneHot = yTrue.rank === 2 && yTrue.shape[1] > 1;
    let labels = oneHot ? ops.argmax(yTrue, -1) : ops.reshape(yTrue, [yTrue.shape[0] ?? 1]);
    if (labels.dtype !== 'int64') labels = ops.round(labels.to('float64')).to('int64');
    const unnamed = ops.logicalOr(ops.lt(labels, 0), ops.ge(labels, size));
    return ops.indexSelect(tensor(table), 0, ops.maskedFill(labels, unnamed, size));
  });
}
