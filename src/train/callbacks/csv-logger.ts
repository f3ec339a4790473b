// Writes one CSV row per epoch (Keras's CSVLogger): epoch, train metrics, val_ metrics, lr, time. The file is
// written whole after each epoch (to a temporary file, then renamed), so it is never half-written.
import { writeAll, writeFileAtomic } from '../../io/atomic.js';
import type { EpochLog } from '../../record/history.js';
import type { Callback } from './callback.js';

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
