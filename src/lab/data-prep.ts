// From a data spec to the tensors a run trains on: load the dataset, apply the task, take the subset, split
// validation off the training data (seeded), fit the preprocessing on the training split only and apply it
// everywhere, apply the augmentation's fixed steps (resize, normalize) to every split, flatten for dense models
// or read images as sequences of rows for recurrent ones (view: sequence).
// The test set stays sealed. Prepared data is shared by every run of a
// study with the same data spec (PreparedData.key), and freed by the runner at the end.
import { createHash } from 'node:crypto';
import {
  applyTask,
  applyTaskToTest,
  disposeDataset,
  flattenFeatures,
  sequenceFeatures,
  loadBuiltin,
  loadFashionMnistIdx,
  loadImageFolderTrainTest,
  makeSplits,
  preprocessSplits,
  splitValidation,
  takeSubset,
  type Dataset,
  type PreprocessState,
  type TaskConfig,
  type TestSet,
} from '../data/index.js';
import { applyFixed, planAugment, type AugmentConfig, type AugmentStep } from '../data/augment.js';
import { ops, tidy, type Tensor } from '../tensor/index.js';
import type { DataSpec } from './types.js';

export interface PreparedData {
  key: string;
  train: Dataset;
  val: Dataset;
  test: TestSet;
  classes: readonly string[];
  /** Per-sample input shape after preprocessing (and flattening). */
  inputShape: number[];
  /** Per-sample shape before flattening ([C, H, W] for images): how a new image must be prepared. */
  sampleShape: number[];
  preprocess: PreprocessState;
  /** Positive rate for one-vs-rest tasks (accuracy alone misleads there). */
  positiveRate: number | null;
  /** A hash of the spec and the resulting sizes: runs on the same data share it. */
  fingerprint: string;
  /** For image folders, the file of each validation and test sample (relative to the folder), else null. */
  files: { val: string[]; test: string[] } | null;
  /** The steps applied to every evaluated image after preprocessing (the fixed ones, and a resize to a random crop's size). */
  transforms: AugmentStep[];
}

/** What identifies prepared data: runs whose specs differ only in shuffling or random augmentation share it. */
export function dataKey(spec: DataSpec, seed: number): string {
  const plan = planAugment(spec.augment as AugmentConfig | null);
  // The default view is left out, so images keep the key (and fingerprint) they had before views existed.
  const { view, ...rest } = spec;
  return JSON.stringify({ ...rest, ...(view === 'sequence' ? { view } : {}), augment: { fixed: plan.fixed, evalSize: plan.evalSize }, shuffle: null, seed });
}

const CHUNK = 256;

/** The dataset with `steps` applied to its images, in chunks (peak memory: the result plus one chunk). */
function transformed(ds: Dataset, steps: readonly AugmentStep[]): Dataset {
  return tidy(() => {
    const n = ds.x.shape[0];
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += CHUNK) parts.push(applyFixed(ds.x.narrow(0, start, Math.min(CHUNK, n - start)), steps));
    return { name: ds.name, x: parts.length === 1 ? parts[0] : ops.cat(parts), y: ops.detach(ds.y), classes: ds.classes };
  });
}

async function load(spec: DataSpec, path: string): Promise<{ train: Dataset; test: TestSet; files: { train: string[]; test: string[] } | null }> {
  const d = spec.dataset;
  if (typeof d === 'string') return { ...loadBuiltin(d, {}, `${path}.dataset`), files: null };
  if ('idx' in d) return { ...loadFashionMnistIdx(d.idx), files: null };
  const folder = await loadImageFolderTrainTest(d.imageFolder, `${path}.dataset.imageFolder`);
  return { train: folder.train, test: folder.test, files: folder.files };
}

/**
 * Which loaded training sample each validation sample is: the task, subset and split (all seeded, and choosing
 * by label only) run again on the samples' indices in place of their pixels, so they choose the same samples.
 */
function validationIndices(train: Dataset, spec: DataSpec, seed: number, task: TaskConfig, path: string): number[] {
  const n = train.y.shape[0];
  const ids: Dataset = tidy(() => ({ name: train.name, x: ops.arange(0, n, 1, 'int64').reshape([n, 1]), y: ops.detach(train.y), classes: train.classes }));
  const owned: Dataset[] = [ids];
  try {
    const tasked = applyTask(ids, task, `${path}.task`).dataset;
    owned.push(tasked);
    const picked = spec.subset ? takeSubset(tasked, { seed, ...spec.subset }, `${path}.subset`) : tasked;
    owned.push(picked);
    const parts = splitValidation(picked, { seed, ...spec.split }, `${path}.split`);
    owned.push(parts.train, parts.val);
    return tidy(() => parts.val.x.flatten().toNumbers());
  } finally {
    for (const d of new Set(owned)) disposeDataset(d);
  }
}

export async function prepareData(spec: DataSpec, seed: number, path = 'data'): Promise<PreparedData> {
  const loaded = await load(spec, path);
  // Intermediate datasets and test sets are freed at the end (views keep what the results still use).
  const owned: Dataset[] = [loaded.train];
  const ownedTests: TestSet[] = [loaded.test];
  try {
    const task: TaskConfig = spec.task === 'multiclass' ? 'multiclass' : { name: 'oneVsRest', positive: spec.task.oneVsRest };
    const tasked = applyTask(loaded.train, task, `${path}.task`);
    owned.push(tasked.dataset);
    const test = applyTaskToTest(loaded.test, task, `${path}.task`);
    ownedTests.push(test);
    const train = spec.subset ? takeSubset(tasked.dataset, { seed, ...spec.subset }, `${path}.subset`) : tasked.dataset;
    owned.push(train);
    const splits = makeSplits({ train, test }, { seed, ...spec.split }, `${path}.split`);
    const pre = preprocessSplits(splits, spec.preprocess, `${path}.preprocess`);
    for (const d of [splits.train, splits.val]) disposeDataset(d);
    let { train: tr, val, test: te } = pre.splits;
    const plan = planAugment(spec.augment as AugmentConfig | null, `${path}.augment`);
    const transforms = [...plan.fixed, ...(plan.evalSize ? [{ name: 'resize' as const, size: plan.evalSize }] : [])];
    if (plan.fixed.length > 0) {
      owned.push(tr);
      tr = transformed(tr, plan.fixed);
    }
    if (transforms.length > 0) {
      owned.push(val);
      ownedTests.push(te);
      val = transformed(val, transforms);
      te = te.map((t) => transformed(t, transforms));
    }
    const sampleShape = val.x.shape.slice(1);
    if (spec.flatten) {
      owned.push(tr, val);
      tr = flattenFeatures(tr);
      val = flattenFeatures(val);
      ownedTests.push(te);
      te = te.map((t) => flattenFeatures(t));
    }
    if (spec.view === 'sequence') {
      owned.push(tr, val);
      tr = sequenceFeatures(tr);
      val = sequenceFeatures(val);
      ownedTests.push(te);
      te = te.map((t) => sequenceFeatures(t));
    }
    // The shape the model takes is what evaluation feeds it: after the fixed steps and a random crop's resize
    // (training batches leave the augmentation at that size too), flattened or read as rows where asked.
    const inputShape = val.x.shape.slice(1);
    const info = tasked.info as { positiveRate?: number };
    const fingerprint = createHash('sha256')
      .update(dataKey(spec, seed))
      .update(JSON.stringify([tr.x.shape, val.x.shape, te.size, tr.classes]))
      .digest('hex')
      .slice(0, 16);
    return {
      key: dataKey(spec, seed),
      train: tr,
      val,
      test: te,
      classes: tr.classes,
      inputShape,
      sampleShape,
      preprocess: pre.preprocessor.state,
      positiveRate: info.positiveRate ?? null,
      fingerprint,
      files: loaded.files && {
        val: validationIndices(loaded.train, spec, seed, task, path).map((i) => loaded.files!.train[i]),
        test: loaded.files.test,
      },
      transforms,
    };
  } finally {
    for (const d of new Set(owned)) disposeDataset(d);
    for (const t of new Set(ownedTests)) t.dispose();
  }
}

export function disposePrepared(p: PreparedData): void {
  disposeDataset(p.train);
  disposeDataset(p.val);
  p.test.dispose();
}
