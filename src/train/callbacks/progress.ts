// Progress: on a terminal, a bar per epoch (batches, loss, samples/s, ETA) drawn by cli-progress; otherwise
// one line per epoch in the seeds' log format:
//   Epoch 3/10 - 1.9s - loss: 0.0712 - accuracy: 0.9781 - val_loss: 0.0803 - val_accuracy: 0.9752
import cliProgress from 'cli-progress';
import type { EpochLog, Logs } from '../../record/history.js';
import type { BatchLog, Callback, TrainContext } from './callback.js';

export interface ProgressOptions {
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** Force the bar (true) or plain lines (false); default: a bar on a TTY. */
  bar?: boolean;
  /** Printed before each line, e.g. "run 2/8 ". */
  prefix?: string;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

function logText(logs: Logs | null, prefix = ''): string[] {
  return Object.entries(logs ?? {})
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${prefix}${k}: ${fmt(v as number)}`);
}

/** The plain per-epoch line. */
export function epochLine(log: EpochLog, epochs: number): string {
  return [`Epoch ${log.epoch + 1}/${epochs}`, `${log.timeS.toFixed(1)}s`, ...logText(log.train), ...logText(log.val, 'val_')].join(' - ');
}

export class Progress implements Callback {
  readonly name = 'progress';
  private bar: cliProgress.SingleBar | null = null;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly useBar: boolean;

  constructor(private readonly options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.useBar = options.bar ?? Boolean(this.stream.isTTY);
  }

  onEpochBegin(epoch: number, ctx: TrainContext): void {
    if (!this.useBar) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `${this.options.prefix ?? ''}Epoch ${epoch + 1}/${ctx.epochs} [{bar}] {value}/{total} - loss: {loss} - {rate} samples/s - ETA {eta_formatted}`,
        stream: this.stream as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(ctx.batchesPerEpoch, 0, { loss: '-', rate: '-' });
  }

  onBatchEnd(log: BatchLog): void {
    this.bar?.update(log.batch + 1, { loss: fmt(log.loss), rate: (log.seen / Math.max(log.elapsedS, 1e-9)).toFixed(0) });
  }

  onEpochEnd(log: EpochLog, ctx: TrainContext): void {
    this.bar?.stop();
    this.bar = null;
    this.stream.write(`${this.options.prefix ?? ''}${epochLine(log, ctx.epochs)}\n`);
  }

  onTrainEnd(ctx: TrainContext): void {
    this.bar?.stop();
    this.bar = null;
    if (ctx.history.status !== 'completed' && ctx.history.message) this.stream.write(`${this.options.prefix ?? ''}${ctx.history.message}\n`);
  }

  getConfig() {
    return { name: this.name };
  }
}
