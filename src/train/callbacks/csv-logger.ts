// Writes one CSV row per epoch (Keras's CSVLogger): epoch, train metrics, val_ metrics, lr, time. The file is
// written whole after each epoch (to a temporary file, then renamed), so it is never half-written.
//
// On resume its rows (the epochs up to the checkpoint) come back from the checkpoint (getState/setState), and
// the next epoch rewrites the file with them plus the new row: the file ends as the uninterrupted run's would,
// whatever a crashed run wrote after its last checkpoint.
import { writeAll, writeFileAtomic } from '../../io/atomic.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback, CallbackState } from './callback.js';
import { CallbackStateError, stateObject } from './state.js';

export class CsvLogger implements Callback {
  readonly name = 'csvLogger';
  private rows: EpochLog[] = [];

  constructor(
    readonly path: string,
    readonly separator = ',',
  ) {}

  onTrainBegin(): void {
    this.rows = [];
  }

  onEpochEnd(log: EpochLog): void {
    this.rows.push(log);
    const text = Buffer.from(csvOf(this.rows, this.separator));
    writeFileAtomic(this.path, (fd) => writeAll(fd, text));
  }

  getConfig() {
    return { name: this.name, path: this.path, separator: this.separator };
  }

  getState(): CallbackState {
    return { json: { rows: [...this.rows] } };
  }

  setState(state: CallbackState): void {
    const s = stateObject(state.json, this.name);
    if (!Array.isArray(s.rows) || !s.rows.every((r) => r !== null && typeof r === 'object' && Number.isInteger((r as EpochLog).epoch))) {
      throw new CallbackStateError(`${this.name} state: 'rows' must be a list of epoch logs`);
    }
    this.rows = [...(s.rows as EpochLog[])];
  }
}

/** Scalar columns only: matrices and per-class lists do not fit a CSV cell. */
export function csvOf(rows: EpochLog[], sep = ','): string {
  const scalar = (logs: EpochLog['train'] | null) => Object.keys(logs ?? {}).filter((k) => typeof logs![k] === 'number');
  const train = [...new Set(rows.flatMap((r) => scalar(r.train)))];
  const val = [...new Set(rows.flatMap((r) => scalar(r.val)))];
  const header = ['epoch', ...train, ...val.map((k) => `val_${k}`), 'lr', 'time_s', 'samples_per_s'];
  const lines = rows.map((r) =>
    [r.epoch + 1, ...train.map((k) => r.train[k] ?? ''), ...val.map((k) => r.val?.[k] ?? ''), r.lr, r.timeS.toFixed(3), r.samplesPerS.toFixed(0)].join(sep),
  );
  return [header.join(sep), ...lines].join('\n') + '\n';
}
