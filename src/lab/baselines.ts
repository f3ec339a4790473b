// Classification baselines scored on the same splits as the models, so a table says what "better than
// nothing" is: majority (always the most frequent training class), uniform (a seeded uniformly random class
// per sample), constant (always the first class). A model near its baselines has learned little, and on a
// one-vs-rest task the majority baseline is the positive rate's complement.
import { classCounts, type Dataset } from '../data/index.js';
import { withSeed } from '../data/random.js';
import { ops, tidy } from '../tensor/index.js';
import type { PreparedData } from './data-prep.js';

export type BaselineName = 'majority' | 'uniform' | 'constant';

export interface BaselineResult {
  name: BaselineName;
  /** The class it predicts (majority, constant), or null (uniform). */
  predicts: string | null;
  val: { accuracy: number };
  test: { accuracy: number } | null;
}

function accuracyOf(name: BaselineName, data: Dataset, classIdx: number, seed: number): number {
  return tidy(() => {
    const n = data.y.shape[0];
    const pred = name === 'uniform' ? withSeed(seed, () => ops.randint(0, data.classes.length, [n])) : ops.fullLike(data.y, classIdx);
    return ops.eq(pred, data.y).sum().item() / n;
  });
}

export function scoreBaselines(names: readonly BaselineName[], data: PreparedData, seed: number, evaluateTest: boolean): BaselineResult[] {
  const counts = classCounts(data.train);
  const majority = counts.indexOf(Math.max(...counts));
  return names.map((name) => {
    const cls = name === 'majority' ? majority : 0;
    return {
      name,
      predicts: name === 'uniform' ? null : data.classes[cls],
      val: { accuracy: accuracyOf(name, data.val, cls, seed) },
      test: evaluateTest ? { accuracy: data.test.finalEvaluation((t) => accuracyOf(name, t, cls, seed + 1)) } : null,
    };
  });
}
