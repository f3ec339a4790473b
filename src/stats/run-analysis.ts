// Per-run analysis from the epoch logs: the best epoch, how fast the run got near its best validation
// accuracy, how far training and validation ended apart (over-fitting), and its time.
import type { RunRecord, StoredRunStatus } from '../record/run.js';
import type { EpochLog, Logs } from '../record/history.js';

export interface RunAnalysis {
  runId: number;
  label: string;
  repeat: number;
  seed: number;
  status: StoredRunStatus;
  /** Epochs logged. */
  epochs: number;
  /** What picks the best epoch: validation accuracy (max), else validation loss (min), else training loss (min). */
  bestBy: 'val_accuracy' | 'val_loss' | 'loss' | null;
  /** 1-based number of the best epoch (the first one on ties); null without any finite value. */
  bestEpoch: number | null;
  /** The `bestBy` value at the best epoch. */
  bestValue: number | null;
  /** Epochs run until validation accuracy first reached 95% / 99% of its best (1-based); null without one. */
  epochsTo95: number | null;
  epochsTo99: number | null;
  /** Final values: the run's final metrics where stored, else the last epoch's log. */
  final: { trainAccuracy: number | null; valAccuracy: number | null; trainLoss: number | null; valLoss: number | null };
  /** Train − validation accuracy at the end; > 0 means the model fits its training data better (over-fitting). */
  accuracyGap: number | null;
  /** Validation − train loss at the end; > 0 means over-fitting (same sign convention as accuracyGap). */
  lossGap: number | null;
  /** Wall time of the run: stored, else the sum of its epoch times. */
  wallTimeS: number | null;
  /** Median training samples per second over the epochs (training phase alone). */
  trainSamplesPerS: number | null;
}

function num(logs: Logs | null | undefined, name: string): number | null {
  const v = logs?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Index of the best finite value (first on ties), or -1. */
function bestIndex(values: (number | null)[], direction: 'max' | 'min'): number {
  let best = -1;
  values.forEach((v, i) => {
    if (v === null) return;
    const b = best < 0 ? null : values[best]!;
    if (b === null || (direction === 'max' ? v > b : v < b)) best = i;
  });
  return best;
}

/** The per-run analysis of `run` from its epoch logs (in epoch order; may be empty). */
export function analyzeRun(run: RunRecord, epochs: readonly EpochLog[]): RunAnalysis {
  const logs = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const valAcc = logs.map((e) => num(e.val, 'accuracy'));
  const candidates: [RunAnalysis['bestBy'], (number | null)[], 'max' | 'min'][] = [
    ['val_accuracy', valAcc, 'max'],
    ['val_loss', logs.map((e) => num(e.val, 'loss')), 'min'],
    ['loss', logs.map((e) => num(e.train, 'loss')), 'min'],
  ];
  let bestBy: RunAnalysis['bestBy'] = null;
  let bestAt = -1;
  let bestValue: number | null = null;
  for (const [name, values, direction] of candidates) {
    const i = bestIndex(values, direction);
    if (i >= 0) {
      [bestBy, bestAt, bestValue] = [name, i, values[i]];
      break;
    }
  }

  // Epochs to reach a fraction of the best validation accuracy: the first epoch at or above it.
  const accBest = bestIndex(valAcc, 'max');
  const epochsTo = (fraction: number): number | null => {
    if (accBest < 0) return null;
    const target = fraction * valAcc[accBest]!;
    const i = valAcc.findIndex((v) => v !== null && v >= target);
    return i < 0 ? null : i + 1;
  };

  const last = logs[logs.length - 1];
  const stored = (split: 'train' | 'val', name: string) => num(run.metrics[split], name) ?? num(split === 'train' ? last?.train : last?.val, name);
  const final = {
    trainAccuracy: stored('train', 'accuracy'),
    valAccuracy: stored('val', 'accuracy'),
    trainLoss: stored('train', 'loss'),
    valLoss: stored('val', 'loss'),
  };
  const gap = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  const times = logs.map((e) => e.timeS).filter(Number.isFinite);
  return {
    runId: run.id,
    label: run.label,
    repeat: run.repeat,
    seed: run.seed,
    status: run.status,
    epochs: logs.length,
    bestBy,
    bestEpoch: bestAt >= 0 ? bestAt + 1 : null,
    bestValue,
    epochsTo95: epochsTo(0.95),
    epochsTo99: epochsTo(0.99),
    final,
    accuracyGap: gap(final.trainAccuracy, final.valAccuracy),
    lossGap: gap(final.valLoss, final.trainLoss),
    wallTimeS: run.wallTimeS ?? (times.length ? times.reduce((a, b) => a + b, 0) : null),
    trainSamplesPerS: median(logs.map((e) => e.samplesPerS).filter(Number.isFinite)),
  };
}
