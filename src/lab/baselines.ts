// Classification baselines scored on the same splits as the models, with the same metrics, so a table says what
// "better than nothing" is: majority (always the most frequent training class), uniform (a seeded uniformly
// random class per sample, seed 000's random output), constant (always the first class: seed 000's constant-0
// output, "not 3"). A model near its baselines has learned little; on a one-vs-rest task the constant and
// majority baselines score the negatives' share in accuracy, and 0 in precision, recall and F1 (they never
// predict the positive class), which is why accuracy misleads there.
import { classCounts, type Dataset } from '../data/index.js';
import { withSeed } from '../data/random.js';
import { metric as makeMetric, type MetricConfig } from '../nn/metrics.js';
import { ops, tidy } from '../tensor/index.js';
import type { Logs } from '../record/history.js';
import type { PreparedData } from './data-prep.js';

export type BaselineName = 'majority' | 'uniform' | 'constant';

export interface BaselineResult {
  name: BaselineName;
  /** The class it predicts (majority, constant), or null (uniform). */
  predicts: string | null;
  /** The runs' metrics (accuracy, precision, ...; no loss: a baseline has no probabilities) on the validation split. */
  val: Logs;
  /** The same on the test set, or null when the experiment does not evaluate on it. */
  test: Logs | null;
}

/** The metrics of a baseline's predictions on `data`: one-hot rows of the predicted classes, through each metric. */
function score(name: BaselineName, data: Dataset, classIdx: number, seed: number, metrics: readonly MetricConfig[]): Logs {
  return tidy(() => {
    const n = data.y.shape[0];
    const c = data.classes.length;
    const pred = name === 'uniform' ? withSeed(seed, () => ops.randint(0, c, [n])) : ops.fullLike(data.y, classIdx);
    const rows = ops.oneHot(pred, c).to('float32');
    const logs: Logs = {};
    for (const config of metrics) {
      const m = makeMetric(config);
      try {
        m.update(rows, data.y);
        logs[m.name] = m.result();
      } finally {
        m.reset();
      }
    }
    return logs;
  });
}

/**
 * Scores each baseline with `metrics` (the runs' metric configs; accuracy is always among them) on the
 * validation split, and on the test set when `evaluateTest` (a counted final evaluation).
 */
export function scoreBaselines(
  names: readonly BaselineName[],
  data: PreparedData,
  seed: number,
  metrics: readonly MetricConfig[],
  evaluateTest: boolean,
): BaselineResult[] {
  const counts = classCounts(data.train);
  const majority = counts.indexOf(Math.max(...counts));
  const configs = metrics.some((m) => makeMetric(m).name === 'accuracy') ? metrics : ['accuracy', ...metrics];
  return names.map((name) => {
    const cls = name === 'majority' ? majority : 0;
    return {
      name,
      predicts: name === 'uniform' ? null : data.classes[cls],
      val: score(name, data.val, cls, seed, configs),
      test: evaluateTest ? data.test.finalEvaluation((t) => score(name, t, cls, seed + 1, configs)) : null,
    };
  });
}

/** "val accuracy 0.8978, precision 0.0000, ..." of a baseline's scalar metrics on a split. */
export function baselineLine(b: BaselineResult): string {
  const scalars = (logs: Logs) => Object.entries(logs).filter((e): e is [string, number] => typeof e[1] === 'number').map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
  return `baseline ${b.name}${b.predicts ? ` (always '${b.predicts}')` : ''}: val ${scalars(b.val)}${b.test ? `; test ${scalars(b.test)}` : ''}`;
}
