// Saves the model after an epoch (Keras's ModelCheckpoint): every epoch, or only when the monitored value
// improves (saveBestOnly). `{epoch}` in the path is replaced by the 1-based epoch. Writes are atomic. Its best
// value and the paths saved go into training checkpoints (getState/setState). The model is saved with what
// fit knows it needs to be used again (the run's class names, preprocessing and input shape: fit's
// modelInfo), so `nnlab predict --model` takes the folder as it takes a run's final model.
import { ConfigError } from '../../engine/errors.js';
import { saveModel, type SavedModelInfo } from '../model-io.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callback.js';
import { Monitor, type Mode } from './monitor.js';
import { CallbackStateError, stateNumber, stateObject } from './state.js';

export interface ModelCheckpointOptions {
  /** The folder to write (`{epoch}` replaced by the epoch); give this or `filepath`. */
  path?: string;
  /** Keras's name for `path`. */
  filepath?: string;
  monitor?: string;
  mode?: Mode;
  saveBestOnly?: boolean;
  /** Saved with the model (class names, preprocessing...). */
  info?: SavedModelInfo;
}

export class ModelCheckpoint implements Callback {
  readonly name = 'modelCheckpoint';
  private readonly options: Required<Omit<ModelCheckpointOptions, 'info' | 'filepath'>> & { info: SavedModelInfo };
  private monitor!: Monitor;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    const { filepath, ...rest } = options;
    if ((rest.path === undefined) === (filepath === undefined)) throw new ConfigError('modelCheckpoint.path', 'give the folder to save to as path (or filepath, as Keras), once');
    this.options = { monitor: 'val_loss', mode: 'auto', saveBestOnly: false, info: {}, ...rest, path: (rest.path ?? filepath)! };
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
    saveModel(dir, ctx.model, { ...ctx.modelInfo, ...this.options.info, epoch: log.epoch + 1, train: log.train, val: log.val });
    this.saved.push(dir);
  }

  getConfig() {
    const { info: _info, ...rest } = this.options;
    return { name: this.name, ...rest };
  }

  getState(): CallbackState {
    return { json: { best: this.monitor.best, saved: [...this.saved] } };
  }

  setState(state: CallbackState): void {
    const s = stateObject(state.json, this.name);
    const best = stateNumber(s, 'best', this.name);
    if (!Array.isArray(s.saved) || !s.saved.every((p) => typeof p === 'string')) throw new CallbackStateError(`${this.name} state: 'saved' must be a list of paths`);
    this.monitor.best = best;
    this.saved.splice(0, this.saved.length, ...(s.saved as string[]));
  }
}
