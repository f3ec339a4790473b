// The training run that the resume tests checkpoint, interrupt and resume (resume.test.ts in-process,
// resume-kill.test.ts in child processes killed with SIGKILL): synthetic data, an MLP with dropout, Adam with
// an exponential schedule, shuffling, and every stateful callback (earlyStopping with restoreBestWeights,
// reduceLROnPlateau, keepBestWeights, csvLogger). Building it twice builds the same run: the same data, the
// same initial weights, fresh callbacks.
//
// Run as a script (node resume-worker.js '<spec JSON>'), it trains one run as the spec says (resuming from
// the checkpoint folder's newest checkpoint when there is one), prints "ready" to stdout when training
// begins, and writes the result (status, every epoch's metrics, the sha256 of the final weights) to
// spec.resultFile as exact JSON.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { manualSeed } from '../engine/seed.js';
import { makeDataset, disposeDataset, type Dataset } from '../data/index.js';
import { stringifyExact } from '../io/exact-json.js';
import { toBuffer } from '../io/safetensors.js';
import { sha256 } from '../io/verified-dir.js';
import { Sequential } from '../nn/model.js';
import { ops, tidy } from '../tensor/index.js';
import type { Callback } from '../train/callbacks/callback.js';
import { CsvLogger } from '../train/callbacks/csv-logger.js';
import { EarlyStopping } from '../train/callbacks/early-stopping.js';
import { KeepBestWeights } from '../train/callbacks/keep-best-weights.js';
import { ReduceLROnPlateau } from '../train/callbacks/reduce-lr-on-plateau.js';
import { listCheckpoints } from '../train/run-checkpoint.js';
import { Trainer, type FitOptions } from '../train/trainer.js';
import type { Logs, RunStatus } from '../record/history.js';

/** small: a quick run for in-process tests; large: bigger weights, so that checkpoint writes take a while. */
export type RunSize = 'small' | 'large';

const SIZES = {
  small: { features: 4, hidden: 64, train: 192, val: 96, batch: 16, lr: 0.01, patience: 5 },
  large: { features: 64, hidden: 512, train: 1024, val: 256, batch: 64, lr: 0.002, patience: 1000 },
} as const;

export interface RunData {
  train: Dataset;
  val: Dataset;
}

/** Noisy 3-class data: half of each class's mean shift, half noise, so validation loss soon stops improving. */
function noisy(n: number, features: number, seed: number): Dataset {
  manualSeed(seed);
  return tidy(() => {
    const y = ops.remainder(ops.arange(0, n, 1, 'int64'), 3);
    const shift = ops.mul(ops.unsqueeze(ops.sub(y.to('float32'), 1), 1), 0.15);
    const x = ops.add(ops.randn([n, features], 'float32'), shift);
    return makeDataset({ name: `noisy-${seed}`, x, y, classes: ['a', 'b', 'c'] });
  });
}

export function makeData(size: RunSize): RunData {
  const s = SIZES[size];
  return { train: noisy(s.train, s.features, 1), val: noisy(s.val, s.features, 2) };
}

export function disposeData(data: RunData): void {
  disposeDataset(data.train);
  disposeDataset(data.val);
}

export interface BuiltRun {
  model: Sequential;
  trainer: Trainer;
  /** The stateful callbacks, built fresh. */
  callbacks: Callback[];
  dispose(): void;
}

/** The model (same initial weights every time), its trainer and fresh callbacks; csv: the CSV log's path. */
export function buildRun(size: RunSize, csv?: string): BuiltRun {
  const s = SIZES[size];
  manualSeed(0);
  const model = new Sequential({
    inputShape: [s.features],
    layers: [{ type: 'dense', units: s.hidden, activation: 'relu' }, { type: 'dropout', rate: 0.25 }, { type: 'dense', units: 3, activation: 'softmax' }],
  });
  const trainer = new Trainer(model, {
    optimizer: { name: 'adam', lr: s.lr, schedule: { name: 'exponential', gamma: 0.95 } },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const callbacks: Callback[] = [
    new EarlyStopping({ monitor: 'val_loss', patience: s.patience, restoreBestWeights: true }),
    new ReduceLROnPlateau({ monitor: 'val_loss', patience: 1, factor: 0.5 }),
    new KeepBestWeights('val_accuracy', 'max'),
    ...(csv ? [new CsvLogger(csv)] : []),
  ];
  return { model, trainer, callbacks, dispose: () => [trainer.dispose(), model.dispose()] };
}

/** What the run computed: comparable across runs and processes (no wall times). */
export interface RunResult {
  status: RunStatus;
  message: string | null;
  epochs: { epoch: number; train: Logs; val: Logs | null; lr: number }[];
  /** The sha256 of the final weights as safetensors bytes. */
  weightsSha256: string;
}

/** The fit options every run of a size shares. */
export function fitOptions(size: RunSize, data: RunData, epochs: number): FitOptions {
  return { epochs, batchSize: SIZES[size].batch, validationData: data.val, seed: 11, threads: { intraOp: 1, blas: 1 } };
}

/** Trains a freshly built run with the shared options plus `extra`; returns its result and frees it. */
export async function trainRun(size: RunSize, data: RunData, epochs: number, extra: Partial<FitOptions> = {}, csv?: string): Promise<RunResult> {
  const run = buildRun(size, csv);
  try {
    const history = await run.trainer.fit(data.train, { ...fitOptions(size, data, epochs), ...extra, callbacks: [...run.callbacks, ...(extra.callbacks ?? [])] });
    return {
      status: history.status,
      message: history.message,
      epochs: history.epochs.map(({ epoch, train, val, lr }) => ({ epoch, train, val, lr })),
      weightsSha256: sha256(toBuffer(run.model.stateDict())),
    };
  } finally {
    run.dispose();
  }
}

export interface WorkerSpec {
  size: RunSize;
  epochs: number;
  /** The run's checkpoint folder: resumed from when it holds a checkpoint, written after every epoch. */
  dir: string;
  resultFile: string;
}

async function main(spec: WorkerSpec): Promise<void> {
  const data = makeData(spec.size);
  const resume = listCheckpoints(spec.dir).length > 0 ? { dir: spec.dir } : undefined;
  const ready: Callback = { name: 'ready', onTrainBegin: () => void process.stdout.write('ready\n') };
  const result = await trainRun(spec.size, data, spec.epochs, { checkpoint: { dir: spec.dir }, resume, callbacks: [ready] });
  writeFileSync(spec.resultFile, stringifyExact(result));
  disposeData(data);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(process.argv[2]) as WorkerSpec).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
