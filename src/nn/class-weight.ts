// Keras's `classWeight`: a weight per class, turned into one weight per sample for Loss.compute. Classes
// the map does not name weigh 1, as in Keras. `'balanced'` is scikit-learn's class_weight='balanced': each
// class present in the training labels weighs n_samples / (n_classes · its count), computed once from them.
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError } from '../engine/errors.js';

/** Class index -> weight, e.g. `{ 0: 1, 1: 5 }` (JSON keys are strings: '0', '1'). */
export type ClassWeight = Record<string | number, number>;

/** A class-weight setting as written: a map, or 'balanced' (weights from the training labels' counts). */
export type ClassWeightConfig = ClassWeight | 'balanced';

const EXPECTED = `a map from class index to weight, e.g. { "0": 1, "1": 5 }, or 'balanced'`;

/** Checks a classWeight setting: 'balanced', or a map whose keys are class indices (integers >= 0) and weights finite numbers >= 0. */
export function checkClassWeight(classWeight: unknown, path = 'classWeight'): ClassWeightConfig {
  if (classWeight === 'balanced') return classWeight;
  if (classWeight === null || typeof classWeight !== 'object' || Array.isArray(classWeight)) {
    throw new ConfigError(path, `expected ${EXPECTED}, got ${JSON.stringify(classWeight)}`);
  }
  for (const [k, v] of Object.entries(classWeight)) {
    if (!/^(0|[1-9]\d*)$/.test(k)) throw new ConfigError(`${path}.${k}`, 'class indices are integers >= 0');
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${path}.${k}`, `expected a weight >= 0, got ${JSON.stringify(v)}`);
  }
  return classWeight as ClassWeight;
}

/** The class index of each sample, int64 [N]: integer labels [N] or [N, 1] (0/1 floats rounded), or one-hot rows [N, C] (their argmax). */
function labelsOf(yTrue: Tensor): Tensor {
  const oneHot = yTrue.rank === 2 && yTrue.shape[1] > 1;
  const labels = oneHot ? ops.argmax(yTrue, -1) : ops.reshape(yTrue, [yTrue.shape[0] ?? 1]);
  return labels.dtype === 'int64' ? labels : ops.round(labels.to('float64')).to('int64');
}

/**
 * scikit-learn's balanced weights of the labels `yTrue` (any form labelsOf takes): n_samples / (n_classes ·
 * count) for each class that occurs, n_classes counting the classes that occur (as sklearn's np.unique(y)).
 */
export function balancedClassWeight(yTrue: Tensor, path = 'classWeight'): ClassWeight {
  const counts = tidy(() => {
    const labels = labelsOf(yTrue);
    if (labels.size > 0 && ops.min(labels).item() < 0) throw new ConfigError(path, "'balanced' needs class labels >= 0; the labels hold a negative one");
    return labels.size === 0 ? [] : ops.bincount(labels, null, 0).toNumbers();
  });
  const present = counts.filter((c) => c > 0).length;
  const n = counts.reduce((a, b) => a + b, 0);
  return Object.fromEntries(counts.flatMap((c, k) => (c > 0 ? [[k, n / (present * c)]] : [])));
}

/** The class weights a setting stands for on these training labels: the map itself, or the balanced weights. */
export function resolveClassWeight(config: ClassWeightConfig, yTrain: Tensor, path = 'classWeight'): ClassWeight {
  return config === 'balanced' ? balancedClassWeight(yTrain, path) : config;
}

/**
 * One weight per sample, [N] float32, from the targets of a batch: integer labels [N] or [N, 1] (binary
 * targets 0/1 are rounded), or one-hot rows [N, C] (their argmax). One native gather, no JS loop.
 */
export function sampleWeightsFromClassWeight(classWeight: ClassWeight, yTrue: Tensor): Tensor {
  const checked = checkClassWeight(classWeight);
  if (checked === 'balanced') throw new ConfigError('classWeight', "'balanced' is resolved from the training labels first (resolveClassWeight)");
  const weights = Object.entries(checked);
  const size = weights.reduce((m, [k]) => Math.max(m, Number(k) + 1), 0);
  // table[c] is the weight of class c; the extra last entry (1) serves every class the map does not name.
  const table = new Array<number>(size + 1).fill(1);
  for (const [k, v] of weights) table[Number(k)] = v;
  return tidy(() => {
    const labels = labelsOf(yTrue);
    const unnamed = ops.logicalOr(ops.lt(labels, 0), ops.ge(labels, size));
    return ops.indexSelect(tensor(table), 0, ops.maskedFill(labels, unnamed, size));
  });
}
