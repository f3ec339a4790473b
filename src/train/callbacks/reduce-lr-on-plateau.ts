// Multiplies the learning rate by `factor` when the monitored value has not improved for `patience` epochs
// (Keras's ReduceLROnPlateau), then waits `cooldown` epochs, never going below minLr. Its counters and best
// value go into training checkpoints (getState/setState); the rate itself is the optimizer's state.
import type { EpochLog } from '../../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callback.js';
import { Monitor, type Mode } from './monitor.js';
import { stateInteger, stateNumber, stateObject } from './state.js';

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  mode?: Mode;
  factor?: number;
  patience?: number;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/** Keras's defaults; the experiment file's fields take theirs from here too (callbacks/registry.ts). */
export const REDUCE_LR_DEFAULTS: Required<ReduceLROnPlateauOptions> = { monitor: 'val_loss', mode: 'auto', factor: 0.1, patience: 10, minDelta: 1e-4, cooldown: 0, minLr: 0 };

export class ReduceLROnPlateau implements Callback {
  readonly name = 'reduceLROnPlateau';
  private readonly options: Required<ReduceLROnPlateauOptions>;
  private monitor!: Monitor;
  private wait = 0;
  private cooldownLeft = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    this.options = { ...REDUCE_LR_DEFAULTS, ...options };
    if (!(this.options.factor > 0 && this.options.factor < 1)) throw new RangeError(`reduceLROnPlateau.factor must be in (0, 1), got ${this.options.factor}`);
  }

  onTrainBegin(): void {
    this.monitor = new Monitor(this.options.monitor, this.options.mode, this.options.minDelta);
    this.wait = 0;
    this.cooldownLeft = 0;
  }

  onEpochEnd(log: EpochLog, ctx: TrainContext): void {
    const v = this.monitor.value(log, 'reduceLROnPlateau');
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.wait = 0;
    }
    if (this.monitor.improves(v)) {
      this.monitor.best = v;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    this.wait += 1;
    if (this.wait >= this.options.patience) {
      const lr = ctx.optimizer.lr;
      const next = Math.max(lr * this.options.factor, this.options.minLr);
      if (next < lr) {
        ctx.optimizer.setLr(next);
        this.cooldownLeft = this.options.cooldown;
        this.wait = 0;
      }
    }
  }

  getConfig() {
    return { name: this.name, ...this.options };
  }

  getState(): CallbackState {
    return { json: { wait: this.wait, cooldownLeft: this.cooldownLeft, best: this.monitor.best } };
  }

  setState(state: CallbackState): void {
    const s = stateObject(state.json, this.name);
    const [wait, cooldownLeft, best] = [stateInteger(s, 'wait', this.name, 0), stateInteger(s, 'cooldownLeft', this.name, 0), stateNumber(s, 'best', this.name)];
    this.wait = wait;
    this.cooldownLeft = cooldownLeft;
    this.monitor.best = best;
  }
}
