// Holding out a validation split from the training data. The test set never takes part: it arrives sealed
// (TestSet) and makeSplits() passes it through untouched, so model selection can only see train and val.
//
// The validation size is a fraction of train (e.g. 0.2) or a count. It is taken at random (a seeded permutation
// from libtorch's generator), optionally stratified so each class keeps its proportion, or as the last samples
// in dataset order (as Keras's validation_split does). Both parts keep dataset order, so a loader without
// shuffling sees the samples as stored. A split that leaves a class present in train with no samples in either
// part is an error.
import { ConfigError } from '../engine/errors.js';
import { readFields, type FieldSpec } from '../engine/fields.js';
import { ops, tidy, type Tensor } from '../tensor/index.js';
import { classCounts, datasetSize, subset, type Dataset } from './dataset.js';
import { SEED_FIELD, withSeed } from './random.js';
import type { TestSet } from './test-set.js';

export interface SplitConfig {
  /** The validation share of train, in (0, 1). Give this or `count`. */
  fraction?: number;
  /** The number of validation samples. */
  count?: number;
  /** 'random' (default): a seeded random choice; 'last': the last samples in dataset order. */
  take?: 'random' | 'last';
  /** Keep each class's proportion in both parts (random only; default false). */
  stratify?: boolean;
  /** Seed of the random choice; without one it draws from libtorch's generator as it stands. */
  seed?: number;
}

const FIELDS: Record<keyof SplitConfig, FieldSpec> = {
  fraction: { type: 'optionalNumber', min: 0, exclusiveMin: true, below: 1 },
  count: { type: 'optionalInteger', min: 1 },
  take: { type: 'choice', default: 'random', choices: ['random', 'last'] },
  stratify: { type: 'boolean', default: false },
  seed: SEED_FIELD,
};

export interface TrainVal {
  train: Dataset;
  val: Dataset;
}

/** What model building sees (train, val) and the sealed test set for the final evaluation. */
export interface DataSplits extends TrainVal {
  test: TestSet;
}

/** Checks a split config; returns it with defaults filled in. */
export function checkSplitConfig(config: unknown, path = 'split'): Required<Omit<SplitConfig, 'fraction' | 'count' | 'seed'>> & SplitConfig {
  const f = readFields(config, FIELDS, path, 'the validation split', { named: false });
  const take = f.take as 'random' | 'last';
  const stratify = f.stratify as boolean;
  if ((f.fraction === null) === (f.count === null)) {
    throw new ConfigError(path, 'give the validation size as exactly one of fraction (e.g. 0.2) or count');
  }
  if (stratify && take === 'last') throw new ConfigError(`${path}.stratify`, "stratify needs take: 'random' (the last samples are a fixed choice)");
  const size = f.fraction !== null ? { fraction: f.fraction as number } : { count: f.count as number };
  return { ...size, take, stratify, ...(f.seed === null ? {} : { seed: f.seed as number }) };
}

/** Splits a training set into train and val (new tensors; `data` is left as it is). */
export function splitValidation(data: Dataset, config: SplitConfig, path = 'split'): TrainVal {
  const c = checkSplitConfig(config, path);
  const n = datasetSize(data);
  const nVal = c.count ?? Math.round(c.fraction! * n);
  if (nVal < 1 || nVal >= n) {
    throw new ConfigError(path, `${data.name} has ${n} samples: a validation split of ${c.count ?? c.fraction} leaves ${nVal < 1 ? 'val' : 'train'} empty`);
  }
  const counts = classCounts(data);
  const parts = tidy(() => {
    const idx = c.take === 'last' ? lastIndices(n, nVal) : withSeed(c.seed, () => randomIndices(data.y, counts, nVal, c.stratify));
    return { train: subset(data, idx.train, data.name), val: subset(data, idx.val, `${data.name.replace(/\/train$/, '')}/val`) };
  });
  try {
    checkNoEmptyClass(parts, counts, c, path);
  } catch (e) {
    for (const d of [parts.train, parts.val]) {
      d.x.dispose();
      d.y.dispose();
    }
    throw e;
  }
  return parts;
}

/** Splits validation off a loaded training set and passes the sealed test set through. */
export function makeSplits(source: { train: Dataset; test: TestSet }, config: SplitConfig, path = 'split'): DataSplits {
  return { ...splitValidation(source.train, config, path), test: source.test };
}

function lastIndices(n: number, nVal: number): { train: Tensor; val: Tensor } {
  return { train: ops.arange(0, n - nVal, 1, 'int64'), val: ops.arange(n - nVal, n, 1, 'int64') };
}

/** A random validation choice of nVal samples (per class when stratified); both parts sorted to dataset order. */
function randomIndices(y: Tensor, counts: number[], nVal: number, stratify: boolean): { train: Tensor; val: Tensor } {
  const n = y.shape[0];
  const perm = ops.randperm(n, 'int64');
  let val: Tensor;
  let train: Tensor;
  if (!stratify) {
    val = perm.narrow(0, 0, nVal);
    train = perm.narrow(0, nVal, n - nVal);
  } else {
    // Walk the permutation class by class: the first quota[c] samples of class c go to val.
    const quota = allocate(nVal, counts);
    const labels = ops.indexSelect(y, 0, perm);
    const valParts: Tensor[] = [];
    const trainParts: Tensor[] = [];
    counts.forEach((count, c) => {
      if (count === 0) return;
      const ofClass = ops.maskedSelect(perm, labels.eq(c));
      valParts.push(ofClass.narrow(0, 0, quota[c]));
      trainParts.push(ofClass.narrow(0, quota[c], count - quota[c]));
    });
    val = ops.cat(valParts);
    train = ops.cat(trainParts);
  }
  return { train: ops.sort(train, 0)[0], val: ops.sort(val, 0)[0] };
}

/**
 * Shares `total` among groups in proportion to `counts` by largest remainder (ties to the lower index), so the
 * shares sum to exactly `total` and each is within 1 of its exact proportion.
 */
export function allocate(total: number, counts: readonly number[]): number[] {
  const sum = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (sum === 0 ? 0 : (total * c) / sum));
  const share = exact.map(Math.floor);
  let left = total - share.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (share[i] < counts[i]) {
      share[i]++;
      left--;
    }
  }
  return share;
}

function checkNoEmptyClass(parts: TrainVal, counts: number[], c: SplitConfig, path: string): void {
  const trainCounts = classCounts(parts.train);
  const valCounts = classCounts(parts.val);
  const how = `${c.count !== undefined ? `count ${c.count}` : `fraction ${c.fraction}`}, take '${c.take}'${c.stratify ? ', stratified' : ''}`;
  counts.forEach((count, k) => {
    if (count === 0) return;
    const emptyIn = trainCounts[k] === 0 ? 'train' : valCounts[k] === 0 ? 'val' : null;
    if (emptyIn) {
      throw new ConfigError(
        path,
        `the validation split (${how}) of ${parts.train.name} leaves class '${parts.train.classes[k]}' (${count} samples) ` +
          `with none in ${emptyIn}; ${c.stratify ? 'the class is too small for this split' : 'use stratify: true'} or change the validation size`,
      );
    }
  });
}
