// Synthetic run records and epoch logs for the statistics and report tests: plausible curves that a test can
// reason about exactly, no training needed.
import type { RunEnvironment, RunRecord, StoredRunStatus } from '../store/types.js';
import type { EpochLog } from '../record/history.js';

const environment: RunEnvironment = {
  nnlab: '0.1.0', libtorch: '1.13.1', node: 'v20', threads: { intraOp: 1, interOp: 1, blas: 2 }, dataFingerprint: 'test', host: 'test',
};

/** A finished run record; metrics and the rest default to plausible values. */
export function makeRun(fields: Partial<RunRecord> & { id: number }): RunRecord {
  return {
    studyId: 1, label: '', values: {}, config: {}, seed: fields.id, repeat: 0, trial: null, retryOf: null, cell: null, status: 'completed' as StoredRunStatus,
    message: null, startedAt: '2024-01-01T00:00:00.000Z', endedAt: '2024-01-01T00:01:00.000Z', wallTimeS: 10,
    environment, metrics: {},
    ...fields,
  };
}

/** Epoch logs from per-epoch value lists (equal lengths); val omitted when valAcc/valLoss are not given. */
export function makeEpochs(curves: { trainAcc?: number[]; trainLoss: number[]; valAcc?: number[]; valLoss?: number[]; timeS?: number }): EpochLog[] {
  return curves.trainLoss.map((loss, e) => {
    const train: Record<string, number> = { loss };
    if (curves.trainAcc) train.accuracy = curves.trainAcc[e];
    let val: Record<string, number> | null = null;
    if (curves.valLoss) {
      val = { loss: curves.valLoss[e] };
      if (curves.valAcc) val.accuracy = curves.valAcc[e];
    }
    const timeS = curves.timeS ?? 2;
    return { epoch: e, train, val, lr: 0.001, timeS, trainTimeS: timeS * 0.8, samplesPerS: 1000 + 10 * e };
  });
}

/** A saturating curve from `start` toward `end`: end − (end − start)·exp(−e/τ). */
export function curve(epochs: number, start: number, end: number, tau: number): number[] {
  return Array.from({ length: epochs }, (_, e) => end - (end - start) * Math.exp(-e / tau));
}

/**
 * A small study: 'activation=relu' (3 runs), 'activation=sigmoid' (3 runs), 'activation=selu' (1 completed +
 * 1 diverged), with final metrics (a 3×3 confusion matrix on val) and 6 epochs each.
 */
export function makeStudy(): { runs: RunRecord[]; epochsByRun: Map<number, EpochLog[]> } {
  const configs: { act: string; valAcc: number[]; diverged?: number }[] = [
    { act: 'relu', valAcc: [0.91, 0.915, 0.905] },
    { act: 'sigmoid', valAcc: [0.86, 0.87, 0.865] },
    { act: 'selu', valAcc: [0.9], diverged: 1 },
  ];
  const runs: RunRecord[] = [];
  const epochsByRun = new Map<number, EpochLog[]>();
  let id = 1;
  for (const c of configs) {
    const repeats = c.valAcc.length + (c.diverged ?? 0);
    for (let r = 0; r < repeats; r++, id++) {
      const label = `model.activation=${c.act}`;
      const values = { 'model.activation': c.act };
      if (r >= c.valAcc.length) {
        runs.push(makeRun({ id, label, values, repeat: r, status: 'diverged', message: 'loss is NaN at epoch 2', wallTimeS: 3, metrics: {} }));
        epochsByRun.set(id, makeEpochs({ trainLoss: [1.2, NaN], trainAcc: [0.6, NaN], valLoss: [1.1, NaN], valAcc: [0.62, NaN] }));
        continue;
      }
      const acc = c.valAcc[r];
      const valAcc = curve(6, acc - 0.3, acc, 1.2);
      const trainAcc = curve(6, acc - 0.28, acc + 0.03, 1.2);
      const trainLoss = curve(6, 1.5, 0.2, 1.5);
      const valLoss = curve(6, 1.4, 0.3, 1.5);
      epochsByRun.set(id, makeEpochs({ trainAcc, trainLoss, valAcc, valLoss, timeS: 2 + r * 0.1 }));
      runs.push(makeRun({
        id, label, values, repeat: r, wallTimeS: 12 + r,
        metrics: {
          train: { loss: trainLoss[5], accuracy: trainAcc[5] },
          val: { loss: valLoss[5], accuracy: valAcc[5], confusionMatrix: [[30, 2, 1], [3, 28, 2], [0, 4, 30]] },
        },
      }));
    }
  }
  return { runs, epochsByRun };
}
