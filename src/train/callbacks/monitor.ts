// What earlyStopping, reduceLROnPlateau and modelCheckpoint share: a monitored value (by Keras's name), a
// direction (min for losses, max for accuracies when mode is 'auto'), and "improved by more than minDelta".
import { ConfigError } from '../../engine/errors.js';
import { monitored, type EpochLog } from '../../record/history.js';

export type Mode = 'auto' | 'min' | 'max';

export class Monitor {
  readonly direction: 'min' | 'max';
  best: number;

  constructor(
    readonly name: string,
    mode: Mode,
    readonly minDelta = 0,
  ) {
    const higherIsBetter = /acc|precision|recall|f1|auc/i.test(name);
    this.direction = mode === 'auto' ? (higherIsBetter ? 'max' : 'min') : mode;
    this.best = this.direction === 'min' ? Infinity : -Infinity;
  }

  /** The monitored value of an epoch; a clear error when the log has no such value. */
  value(log: EpochLog, owner: string): number {
    const v = monitored(log, this.name);
    if (v === undefined) {
      const have = ['lr', ...Object.keys(log.train), ...Object.keys(log.val ?? {}).map((k) => `val_${k}`)];
      throw new ConfigError(`${owner}.monitor`, `'${this.name}' is not in the epoch logs (they have: ${have.join(', ')})${this.name.startsWith('val_') && !log.val ? '; give validation data or a validation split' : ''}`);
    }
    return v;
  }

  /** Whether v beats the best so far by more than minDelta. */
  improves(v: number): boolean {
    return this.direction === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }
}
