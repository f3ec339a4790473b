// Tasks and subsets over a dataset: the multiclass task as loaded, "class k vs the rest" as a binary task (whose
// positive rate is reported, since accuracy misleads when one side is rare: 90% accuracy is what always saying
// "rest" scores on MNIST digit 0), a subset of the classes, and smaller subsets (n per class, or n in total).
import { ConfigError } from '../engine/errors.js';
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { checkBool, checkChoice, checkInt, checkKeys } from './config-check.js';
import { aliasDataset, classCounts, classIndex, datasetSize, subset, type Dataset } from './dataset.js';
import { checkSeed, withSeed } from './random.js';
import { allocate } from './split.js';
import type { TestSet } from './test-set.js';

/** A task: { name: 'multiclass' } (or just 'multiclass'), or { name: 'oneVsRest', positive: <class name or index> }. */
export type TaskConfig = { name: 'multiclass' } | { name: 'oneVsRest'; positive: string | number } | 'multiclass';

export type TaskInfo =
  | { name: 'multiclass'; classes: readonly string[]; counts: number[] }
  | { name: 'oneVsRest'; positiveClass: string; positiveRate: number; majorityAccuracy: number; counts: number[] };

const TASK_NAMES = ['multiclass', 'oneVsRest'] as const;

/** Applies a task config to a dataset: the (possibly relabelled) dataset and what to report about it. */
export function applyTask(ds: Dataset, config: TaskConfig, path = 'task'): { dataset: Dataset; info: TaskInfo } {
  const c = (typeof config === 'string' ? { name: config } : config) as { name: unknown; positive?: string | number };
  checkKeys(c, ['name', 'positive'], path);
  const name = checkChoice(c.name, `${path}.name`, 'task', TASK_NAMES);
  if (name === 'multiclass') {
    checkKeys(c, ['name'], path);
    return { dataset: aliasDataset(ds), info: { name, classes: ds.classes, counts: classCounts(ds) } };
  }
  if (c.positive === undefined) {
    throw new ConfigError(`${path}.positive`, `oneVsRest needs the positive class (one of ${ds.classes.join(', ')})`);
  }
  const r = oneVsRest(ds, c.positive, `${path}.positive`);
  return { dataset: r.dataset, info: { name, positiveClass: r.positiveClass, positiveRate: r.positiveRate, majorityAccuracy: r.majorityAccuracy, counts: classCounts(r.dataset) } };
}

/** The same task on the sealed test set (labels only; the task learns nothing from the data). */
export function applyTaskToTest(test: TestSet, config: TaskConfig, path = 'task'): TestSet {
  return test.map((d) => applyTask(d, config, path).dataset);
}

/**
 * "positive vs the rest": labels 1 for the positive class, 0 otherwise; classes ['not <name>', '<name>'].
 * x is shared with `ds` (a view). positiveRate is the share of label 1; majorityAccuracy what always
 * predicting the larger side would score.
 */
export function oneVsRest(ds: Dataset, positive: string | number, path = 'task.positive'): { dataset: Dataset; positiveClass: string; positiveRate: number; majorityAccuracy: number } {
  const k = classIndex(ds, positive, path);
  const name = ds.classes[k];
  const dataset = tidy(() => ({ name: `${ds.name} (${name} vs rest)`, x: ops.detach(ds.x), y: ds.y.eq(k).to('int64'), classes: [`not ${name}`, name] }));
  const n = datasetSize(ds);
  const positives = classCounts(dataset)[1];
  const positiveRate = n === 0 ? 0 : positives / n;
  return { dataset, positiveClass: name, positiveRate, majorityAccuracy: Math.max(positiveRate, 1 - positiveRate) };
}

export interface SubsetConfig {
  /** Keep only these classes (names or indices), relabelled 0..k-1 in the order given. */
  classes?: (string | number)[];
  /** Take this many samples of every class... */
  perClass?: number;
  /** ...or this many in total. */
  total?: number;
  /** With total: keep the class proportions (default false). */
  stratify?: boolean;
  /** 'random' (default, seeded) or 'first' (the first samples in dataset order). */
  take?: 'random' | 'first';
  seed?: number;
}

/** A subset of a dataset (new tensors, in dataset order). Asking for more samples of a class than it has is an error. */
export function takeSubset(ds: Dataset, config: SubsetConfig, path = 'subset'): Dataset {
  checkKeys(config, ['classes', 'perClass', 'total', 'stratify', 'take', 'seed'], path);
  if (config.perClass !== undefined && config.total !== undefined) throw new ConfigError(path, 'give perClass or total, not both');
  const take = config.take === undefined ? 'random' : checkChoice(config.take, `${path}.take`, 'take', ['random', 'first'] as const);
  const stratify = config.stratify === undefined ? false : checkBool(config.stratify, `${path}.stratify`);
  const seed = checkSeed(config.seed, `${path}.seed`);
  const data = config.classes === undefined ? ds : selectClasses(ds, config.classes, `${path}.classes`);
  let result: Dataset | undefined;
  try {
    result = pick(data, config, path, take, stratify, seed);
    return result === ds ? aliasDataset(ds) : result;
  } finally {
    if (data !== ds && result !== data) {
      data.x.dispose();
      data.y.dispose();
    }
  }
}

function pick(data: Dataset, config: SubsetConfig, path: string, take: 'random' | 'first', stratify: boolean, seed: number | undefined): Dataset {
  const counts = classCounts(data);
  const n = datasetSize(data);
  let quota: number[];
  if (config.perClass !== undefined) {
    const per = checkInt(config.perClass, `${path}.perClass`, 1);
    counts.forEach((count, c) => {
      if (count < per) throw new ConfigError(`${path}.perClass`, `${data.name}: class '${data.classes[c]}' has ${count} samples, fewer than ${per}`);
    });
    quota = counts.map(() => per);
  } else if (config.total !== undefined) {
    const total = checkInt(config.total, `${path}.total`, 1, n);
    if (!stratify) return tidy(() => subset(data, ops.sort(order(n, take, seed).narrow(0, 0, total), 0)[0]));
    quota = allocate(total, counts);
  } else {
    return data; // only a class selection
  }
  return tidy(() => {
    const perm = order(n, take, seed);
    const labels = ops.indexSelect(data.y, 0, perm);
    const parts = quota.flatMap((count, c) => (count === 0 ? [] : [ops.maskedSelect(perm, labels.eq(c)).narrow(0, 0, count)]));
    return subset(data, ops.sort(ops.cat(parts), 0)[0]);
  });
}

/** The samples of the given classes, relabelled 0..k-1 in the order given (one lookup, one gather). */
export function selectClasses(ds: Dataset, classes: (string | number)[], path = 'subset.classes'): Dataset {
  if (!Array.isArray(classes) || classes.length === 0) throw new ConfigError(path, 'expected a non-empty list of class names or indices');
  const picked = classes.map((c, i) => classIndex(ds, c, `${path}[${i}]`));
  if (new Set(picked).size !== picked.length) throw new ConfigError(path, `lists a class twice: ${JSON.stringify(classes)}`);
  return tidy(() => {
    const table = new Float64Array(ds.classes.length).fill(-1);
    picked.forEach((k, i) => (table[k] = i));
    const newLabel = ops.indexSelect(tensor(table, [table.length], 'int64'), 0, ds.y);
    const keep = ops.nonzero(newLabel.ge(0)).flatten();
    return {
      name: `${ds.name} [${picked.map((k) => ds.classes[k]).join(', ')}]`,
      x: ops.indexSelect(ds.x, 0, keep),
      y: ops.indexSelect(newLabel, 0, keep),
      classes: picked.map((k) => ds.classes[k]),
    };
  });
}

/** All indices, in a seeded random order or in dataset order. */
function order(n: number, take: 'random' | 'first', seed: number | undefined): Tensor {
  return take === 'first' ? ops.arange(0, n, 1, 'int64') : withSeed(seed, () => ops.randperm(n, 'int64'));
}
