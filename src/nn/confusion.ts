// The counting behind the epoch metrics: predictions and targets turned into class ids, and a native count
// tensor that grows with each batch. Only result() reads numbers back to JS; updates stay in libtorch.
import { keep, ops, type Tensor } from '../tensor/index.js';
import { NnlabError, ShapeError } from '../engine/errors.js';

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

/** Predictions with one value per sample ([N] or [N, 1]): binary, thresholded. */
export function isBinary(yPred: Tensor): boolean {
  return yPred.rank <= 1 || yPred.shape[yPred.rank - 1] === 1;
}

/**
 * Predicted and true class ids, flat int64, and the number of classes:
 * - binary predictions ([N] or [N, 1], probabilities or scores): class 1 where yPred > threshold; targets
 *   are 0/1 values of the same size (class 1 where yTrue > 0.5); two classes;
 * - class scores [N, ..., C]: the argmax; targets are one-hot rows of the same shape (their argmax) or
 *   integer labels [N, ...] (or [N, ..., 1]) in any dtype; C classes.
 */
export function classIds(metric: string, yPred: Tensor, yTrue: Tensor, threshold: number): { pred: Tensor; truth: Tensor; classes: number } {
  if (yPred.rank === 0) throw new ShapeError(`${metric}: predictions need a batch axis, got []`);
  if (isBinary(yPred)) {
    if (yTrue.size !== yPred.size) throw new ShapeError(`${metric}: binary predictions ${fmt(yPred)} and targets ${fmt(yTrue)} differ in size`);
    return { pred: ops.gt(yPred, threshold).flatten(0, -1).to('int64'), truth: ops.gt(yTrue, 0.5).flatten(0, -1).to('int64'), classes: 2 };
  }
  const classes = yPred.shape[yPred.rank - 1];
  const pred = ops.argmax(yPred, -1).flatten(0, -1);
  const sameShape = yTrue.rank === yPred.rank && yTrue.shape.every((n, i) => n === yPred.shape[i]);
  if (sameShape) return { pred, truth: ops.argmax(yTrue, -1).flatten(0, -1), classes };
  const lead = yPred.shape.slice(0, -1);
  const t = yTrue.shape;
  const labels = (t.length === lead.length || (t.length === yPred.rank && t[t.length - 1] === 1)) && lead.every((n, i) => n === t[i]);
  if (!labels) throw new ShapeError(`${metric}: predictions ${fmt(yPred)} need one-hot targets of the same shape or labels [${lead.join(', ')}], got ${fmt(yTrue)}`);
  const truth = yTrue.flatten(0, -1);
  return { pred, truth: truth.dtype === 'int64' ? truth : truth.to('int64'), classes };
}

/** A native int64 count vector summed over updates; kept out of every tidy() until reset. */
export class Counter {
  private counts: Tensor | null = null;

  /** Adds counts: a new int64 tensor, which the first call takes over (kept out of the caller's tidy). */
  add(counts: Tensor): void {
    if (this.counts === null) this.counts = keep(counts);
    else this.counts.add_(counts);
  }
  /** The counts as numbers (an empty array before any update). */
  values(): number[] {
    return this.counts === null ? [] : this.counts.toNumbers();
  }
  reset(): void {
    this.counts?.dispose();
    this.counts = null;
  }
}

/** Adds the confusion counts of one batch: bincount of truth·C + pred, C² bins. */
export function countConfusion(counter: Counter, metric: string, pred: Tensor, truth: Tensor, classes: number): void {
  let counts: Tensor;
  try {
    counts = ops.bincount(ops.add(ops.mul(truth, classes), pred), null, classes * classes);
  } catch (e) {
    throw new NnlabError(`${metric}: class labels must be integers in [0, ${classes}); a batch holds a negative one`, { cause: e });
  }
  if (counts.size > classes * classes) throw new NnlabError(`${metric}: class labels must be integers in [0, ${classes}); a batch holds a larger one`);
  counter.add(counts);
}

/** The C×C confusion matrix (rows: true class, columns: predicted class) from its flat counts. */
export function toMatrix(flat: number[], classes: number): number[][] {
  return Array.from({ length: classes }, (_, r) => (flat.length ? flat.slice(r * classes, (r + 1) * classes) : new Array<number>(classes).fill(0)));
}

export interface ClassScores {
  precision: number[];
  recall: number[];
  f1: number[];
  /** Classes that occur among the targets or the predictions. */
  present: boolean[];
}

/** Per-class precision, recall and F1 of a confusion matrix; 0 where undefined (no predictions or no samples). */
export function classScores(m: number[][]): ClassScores {
  const c = m.length;
  const out: ClassScores = { precision: [], recall: [], f1: [], present: [] };
  for (let k = 0; k < c; k++) {
    const tp = m[k][k];
    const predicted = m.reduce((s, row) => s + row[k], 0);
    const actual = m[k].reduce((s, v) => s + v, 0);
    out.precision.push(predicted ? tp / predicted : 0);
    out.recall.push(actual ? tp / actual : 0);
    out.f1.push(predicted + actual ? (2 * tp) / (predicted + actual) : 0);
    out.present.push(predicted + actual > 0);
  }
  return out;
}
