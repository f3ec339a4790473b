// Saves the model after an epoch (Keras's ModelCheckpoint): every epoch, or only when the monitored value
// improves (saveBestOnly). `{epoch}` in the path is replaced by the 1-based epoch. Writes are atomic.
import { saveModel, type SavedModelInfo } from '../model-io.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback, TrainContext } from './callback.js';
import { Monitor, type Mode } from './monitor.js';

export interface ModelCheckpointOptions {
  path: string;
  monitor?: string;
  mode?: Mode;
  saveBestOnly?: boolean;
  /** Saved with the model (class names, preprocessing...). */
  info?: SavedModelInfo;
}

export class ModelCheckpoint implements Callback {
  readonly name = 'modelCheckpoint';
  private readonly options: Required<Omit<ModelCheckpointOptions, 'info'>> & { info: SavedModelInfo };
  private monitor!: Monitor;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    this.options = { monitor: 'val_loss', mode: 'auto', saveBestOnly: false, info: {}, ...options };
  }

  onTrainBegin(): void {
    this.monitor = new Monitor(this.options.monitor, this.options.mode);
  }

  onEpochEnd(log: EpochLog, ctx: TrainContext): void {
    if (this.options.saveBestOnly) {
      const v = this.monitor.value(log, 'modelCheckpoint');
      if (!this.monitor.improves(v)) return;
      this.monitor.best = v;
    }
    const dir = this.options.path.replaceAll('{epoch}', String(log.epoch + 1));
    saveModel(dir, ctx.model, { ...this.options.info, epoch: log.epoch + 1, train: log.train, val: log.val });
    this.saved.push(dir);
  }

  getConfig() {
    const { info: _info, ...rest } = this.options;
    return { name: this.name, ...rest };
  }
}
