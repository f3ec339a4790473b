// Ends the run as soon as a batch's loss is NaN or infinite (within one step), with status `diverged` and the
// epoch and batch in the message. fit() always installs it: a diverged run must never keep training.
import type { BatchLog, Callback, TrainContext } from './callback.js';

export class TerminateOnNaN implements Callback {
  readonly name = 'terminateOnNaN';

  onBatchEnd(log: BatchLog, ctx: TrainContext): void {
    if (!Number.isFinite(log.loss)) {
      ctx.stop('diverged', `loss is ${log.loss} at epoch ${log.epoch + 1}, batch ${log.batch + 1}: training diverged (try a lower learning rate)`);
    }
  }

  getConfig() {
    return { name: this.name };
  }
}
