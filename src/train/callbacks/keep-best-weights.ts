// Keeps the weights of the best epoch by a monitored value and puts them back when training ends, so the model
// that is saved (and later evaluated on the test set) is the one from the epoch that scored best: what
// KerasTuner's SaveBestEpoch does for each trial. One copy of the weights is held in memory; a NaN or missing
// value never counts as the best. Its best value and epoch and the kept weights go into training checkpoints
// (getState/setState).
import { keep, noGrad, type Tensor } from '../../tensor/index.js';
import { monitored, type EpochLog } from '../../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callback.js';
import { savedTensors, stateInteger, stateNumberOrNull, stateObject } from './state.js';

export class KeepBestWeights implements Callback {
  readonly name = 'keepBestWeights';
  private best: number | null = null;
  private weights: Record<string, Tensor> | null = null;
  /** The epoch (0-based) whose weights are kept, or -1 before any. */
  bestEpoch = -1;
  private lastEpoch = -1;

  /** `monitor` by Keras's name ('val_accuracy', 'loss'); higher is better for 'max'. */
  constructor(
    readonly monitor: string,
    readonly direction: 'max' | 'min',
  ) {}

  onTrainBegin(): void {
    this.release();
    this.best = null;
    this.bestEpoch = -1;
    this.lastEpoch = -1;
  }

  onEpochEnd(log: EpochLog, ctx: TrainContext): void {
    this.lastEpoch = log.epoch;
    const v = monitored(log, this.monitor);
    if (v === undefined || !Number.isFinite(v)) return;
    if (this.best !== null && !(this.direction === 'max' ? v > this.best : v < this.best)) return;
    this.best = v;
    this.bestEpoch = log.epoch;
    this.release();
    this.weights = noGrad(() => Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, keep(t.clone())])));
  }

  onTrainEnd(ctx: TrainContext): void {
    try {
      if (this.weights && this.bestEpoch !== this.lastEpoch) ctx.model.loadStateDict(this.weights, 'the best epoch weights');
    } finally {
      this.release();
    }
  }

  getState(): CallbackState {
    return { json: { best: this.best, bestEpoch: this.bestEpoch, lastEpoch: this.lastEpoch }, tensors: this.weights ?? {} };
  }

  setState(state: CallbackState): void {
    const s = stateObject(state.json, this.name);
    const [best, bestEpoch, lastEpoch] = [stateNumberOrNull(s, 'best', this.name), stateInteger(s, 'bestEpoch', this.name, -1), stateInteger(s, 'lastEpoch', this.name, -1)];
    this.release();
    this.weights = savedTensors(state.tensors);
    this.best = best;
    this.bestEpoch = bestEpoch;
    this.lastEpoch = lastEpoch;
  }

  private release(): void {
    if (this.weights) for (const t of Object.values(this.weights)) t.dispose();
    this.weights = null;
  }
}
