// Tasks and subsets over a dataset: the multiclass task as loaded, "class k vs the rest" as a binary task (whose
// positive rate is reported, since accuracy misleads when one side is rare: 90% accuracy is what always saying
// "rest" scores on MNIST digit 0), a subset of the classes, and smaller subsets (n per class, or n in total).
import { ConfigError } from '../engine/errors.js';
import { asObject, checkValue, join, readFields, readName, type FieldSpec } from '../engine/fields.js';
import { ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { aliasDataset, classCounts, classIndex, datasetSize, subset, type Dataset } from './dataset.js';
import { SEED_FIELD, withSeed } from './random.js';
import { allocate } from './split.js';
import type { TestSet } from './test-set.js';

/** A task: { name: 'multiclass' } (or just 'multiclass'), or { name: 'oneVsRest', positive: <class name or index> }. */
export type TaskConfig = { name: 'multiclass' } | { name: 'oneVsRest'; positive: string | number } | 'multiclass';

export type TaskInfo =
  | { name: 'multiclass'; classes: readonly string[]; counts: number[] }
  | { name: 'oneVsRest'; positiveClass: string; positiveRate: number; majorityAccuracy: number; counts: number[] };

const TASK_FIELDS: Record<'multiclass' | 'oneVsRest', Record<string, FieldSpec>> = {
  multiclass: {},
  oneVsRest: { positive: { type: 'any' } },
};
const TASK_NAMES = Object.keys(TASK_FIELDS) as (keyof typeof TASK_FIELDS)[];

/** Applies a task config to a dataset: the (possibly relabelled) dataset and what to report about it. */
export function applyTask(ds: Dataset, config: TaskConfig, path = 'task'): { dataset: Dataset; info: TaskInfo } {
  const c = typeof config === 'string' ? { name: config } : asObject(config, path, 'a task');
  const name = readName(c, path, 'task', TASK_NAMES);
  const f = readFields(c, TASK_FIELDS[name], path, `task '${name}'`);
  if (name === 'multiclass') {
    return { dataset: aliasDataset(ds), info: { name, classes: ds.classes, counts: classCounts(ds) } };
  }
  if (f.positive === null) {
    throw new ConfigError(`${path}.positive`, `oneVsRest needs the positive class (one of ${ds.classes.join(', ')})`);
  }
  const r = oneVsRest(ds, f.positive as string | number, `${path}.positive`);
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

const SUBSET_FIELDS: Record<keyof SubsetConfig, FieldSpec> = {
  classes: { type: 'any' },
  perClass: { type: 'optionalInteger', min: 1 },
  total: { type: 'optionalInteger', min: 1 },
  stratify: { type: 'boolean', default: false },
  take: { type: 'choice', default: 'random', choices: ['random', 'first'] },
  seed: SEED_FIELD,
};

/** A subset's config, read: null where not given. */
interface Subset {
  classes: (string | number)[] | null;
  perClass: number | null;
  total: number | null;
  stratify: boolean;
  take: 'random' | 'first';
  seed: number | null;
}

/** A subset of a dataset (new tensors, in dataset order). Asking for more samples of a class than it has is an error. */
export function takeSubset(ds: Dataset, config: SubsetConfig, path = 'subset'): Dataset {
  const c = readFields(config, SUBSET_FIELDS, path, 'the subset', { named: false }) as unknown as Subset;
  if (c.perClass !== null && c.total !== null) throw new ConfigError(path, 'give perClass or total, not both');
  const data = c.classes === null ? ds : selectClasses(ds, c.classes, `${path}.classes`);
  let result: Dataset | undefined;
  try {
    result = pick(data, c, path);
    return result === ds ? aliasDataset(ds) : result;
  } finally {
    if (data !== ds && result !== data) {
      data.x.dispose();
      data.y.dispose();
    }
  }
}

function pick(data: Dataset, c: Subset, path: string): Dataset {
  const { take, stratify, seed } = c;
  const counts = classCounts(data);
  const n = datasetSize(data);
  let quota: number[];
  if (c.perClass !== null) {
    const per = c.perClass;
    counts.forEach((count, c) => {
      if (count < per) throw new ConfigError(`${path}.perClass`, `${data.name}: class '${data.classes[c]}' has ${count} samples, fewer than ${per}`);
    });
    quota = counts.map(() => per);
  } else if (c.total !== null) {
    // The upper bound is the size after the class selection.
    const total = checkValue(c.total, { type: 'optionalInteger', min: 1, max: n }, join(path, 'total')) as number;
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
function order(n: number, take: 'random' | 'first', seed: number | null): Tensor {
  return take === 'first' ? ops.arange(0, n, 1, 'int64') : withSeed(seed, () => ops.randperm(n, 'int64'));
}
