// Stops training when the monitored value has not improved for `patience` epochs (Keras's EarlyStopping):
// with patience 2, the second epoch in a row without an improvement of more than minDelta is the last one
// (patience 0 stops at the first). Optionally puts back the weights of the best epoch. Its state (the wait
// count, the best value and epoch, the best weights) goes into training checkpoints (getState/setState).
import { keep, noGrad, type Tensor } from '../../tensor/index.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callback.js';
import { Monitor, type Mode } from './monitor.js';
import { savedTensors, stateInteger, stateNumber, stateObject } from './state.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: Mode;
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
  /** Epochs (0-based) before this one never count as "no improvement" (a warm-up). */
  startFromEpoch?: number;
}

/** Keras's defaults; the experiment file's fields take theirs from here too (callbacks/registry.ts). */
export const EARLY_STOPPING_DEFAULTS: Required<EarlyStoppingOptions> = { monitor: 'val_loss', mode: 'auto', patience: 0, minDelta: 0, restoreBestWeights: false, startFromEpoch: 0 };

export class EarlyStopping implements Callback {
  readonly name = 'earlyStopping';
  private readonly options: Required<EarlyStoppingOptions>;
  private monitor!: Monitor;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;
  /** The epoch whose value was best (for reports). */
  bestEpoch = -1;

  constructor(options: EarlyStoppingOptions = {}) {
    this.options = { ...EARLY_STOPPING_DEFAULTS, ...options };
  }

  onTrainBegin(): void {
    this.monitor = new Monitor(this.options.monitor, this.options.mode, this.options.minDelta);
    this.wait = 0;
    this.bestEpoch = -1;
  }

  onEpochEnd(log: EpochLog, ctx: TrainContext): void {
    if (log.epoch < this.options.startFromEpoch) return;
    const v = this.monitor.value(log, 'earlyStopping');
    if (this.monitor.improves(v)) {
      this.monitor.best = v;
      this.bestEpoch = log.epoch;
      this.wait = 0;
      if (this.options.restoreBestWeights) this.snapshot(ctx);
      return;
    }
    this.wait += 1;
    if (this.wait >= this.options.patience && log.epoch > 0) {
      if (this.bestWeights) ctx.model.loadStateDict(this.bestWeights, 'earlyStopping best weights');
      const restored = this.bestWeights ? `; restored the weights of epoch ${this.bestEpoch + 1}` : '';
      ctx.stop('stopped', `early stopping at epoch ${log.epoch + 1}: ${this.options.monitor} did not improve for ${this.wait} epochs (best ${this.monitor.best.toPrecision(5)} at epoch ${this.bestEpoch + 1})${restored}`);
    }
  }

  onTrainEnd(): void {
    this.release();
  }

  getConfig() {
    return { name: this.name, ...this.options };
  }

  getState(): CallbackState {
    return { json: { wait: this.wait, best: this.monitor.best, bestEpoch: this.bestEpoch }, tensors: this.bestWeights ?? {} };
  }

  setState(state: CallbackState): void {
    const s = stateObject(state.json, this.name);
    const [wait, best, bestEpoch] = [stateInteger(s, 'wait', this.name, 0), stateNumber(s, 'best', this.name), stateInteger(s, 'bestEpoch', this.name, -1)];
    this.release();
    this.bestWeights = savedTensors(state.tensors);
    this.wait = wait;
    this.monitor.best = best;
    this.bestEpoch = bestEpoch;
  }

  private snapshot(ctx: TrainContext): void {
    this.release();
    this.bestWeights = noGrad(() => Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, keep(t.clone())])));
  }

  private release(): void {
    if (this.bestWeights) for (const t of Object.values(this.bestWeights)) t.dispose();
    this.bestWeights = null;
  }
}
