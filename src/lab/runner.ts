// Runs an experiment: every study cell, `repeats` times, each run trained, evaluated, stored and saved.
//
// Everything that can be wrong with the experiment is found before the first run starts (data loads, every
// model builds, every optimizer/loss/metric/callback config is valid), so a bad file writes nothing to the
// store. Runs of different cells share the seeds of their repeat (repeat r uses seed + r), so cells are
// compared on the same splits and shuffles. A failed run is recorded as failed and the study goes on; an
// interrupt (Ctrl-C) records the running run as interrupted, keeps its epochs, and ends the study.
import { existsSync, rmSync } from 'node:fs';
import { listCheckpoints, loadLatestCheckpoint, type TrainingCheckpoint } from '../train/run-checkpoint.js';
import os from 'node:os';
import path from 'node:path';
import { nnlabVersion } from '../engine/version.js';
import { libtorchInfo } from '../engine/libtorch.js';
import { getThreads } from '../engine/threads.js';
import { makeTrainer } from './make-trainer.js';
import { manualSeed } from '../engine/seed.js';
import { Sequential, type ModelConfig } from '../nn/model.js';
import { activation } from '../nn/activations.js';
import { CLASSES } from './experiment/templates.js';
import { Augmentation, planAugment, type AugmentConfig } from '../data/augment.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { testBestConfig, type FinalTest } from './final-test.js';
import { tidy } from '../tensor/index.js';
import { fmtShape } from '../nn/layers/layer.js';
import { formatSummary } from '../nn/summary.js';
import { Trainer } from '../train/trainer.js';
import { callback } from '../train/callbacks/registry.js';
import { Progress } from '../train/callbacks/progress.js';
import type { Callback } from '../train/callbacks/callback.js';
import type { EpochLog, Logs } from '../record/history.js';
import { saveModel } from '../train/model-io.js';
import { graceSeconds, heartbeatSeconds } from '../store/liveness.js';
import { hashArtifact, runWeights } from '../store/artifact-hash.js';
import type { FinalMetrics, RunEnvironment, RunRecord, RunStore, StudyRecord } from '../store/types.js';
import { disposePrepared, prepareData, dataKey, type PreparedData } from './data-prep.js';
import { scoreBaselines, type BaselineResult } from './baselines.js';
import type { Experiment, RunSpec, StudyCell } from './types.js';

export interface RunOptions {
  store: RunStore;
  /** Where each run's weights are saved (a folder per run): the store's own folder (see cli/context.ts artifactsDirOf). */
  artifactsDir: string;
  /** Per-epoch progress goes here (stderr when stdout carries JSON). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Force the progress bar on or off; default: a bar on a TTY. */
  bar?: boolean;
  /** Ends the study after the current step (Ctrl-C). */
  signal?: AbortSignal;
  /** Seconds between a running run's heartbeats in the store (default: NNLAB_HEARTBEAT_S, else 5). */
  heartbeatS?: number;
  /** Seconds without a heartbeat before a running run is taken for crashed (default: NNLAB_GRACE_S, else 30). */
  graceS?: number;
}


export interface RunOutcome {
  record: RunRecord;
  epochs: EpochLog[];
}

export interface ExperimentOutcome {
  studyId: number | null;
  runs: RunOutcome[];
  baselines: BaselineResult[];
  interrupted: boolean;
  /** With evaluateTest 'best': the config chosen on validation and its runs' test metrics (else null). */
  finalTest: FinalTest | null;
}

/**
 * The model config of a cell for its data: the input shape, and `units: 'classes'` filled in: one unit per class,
 * or one unit for a two-class task whose output is a single probability (a sigmoid output layer, or the
 * binaryCrossentropy loss on an output that is not a softmax), as a Keras user writes Dense(1, activation='sigmoid').
 */
export function completeModel(spec: RunSpec, data: PreparedData): ModelConfig {
  const loss = (spec.training.loss as { name: string }).name; // a loss config, as run-spec.ts resolved it
  const layers = spec.model.layers.map((l) => {
    if (l.units !== CLASSES) return l;
    const name = l.activation === undefined ? null : activation(l.activation as string, 'model.outputActivation').getConfig().name;
    // Never one softmax unit: its output is the constant 1. binaryCrossentropy with the template's softmax keeps two
    // units (the loss takes class labels for them); one unit is for a sigmoid, or a linear output read as logits.
    const single = data.classes.length === 2 && (name === 'sigmoid' || (loss === 'binaryCrossentropy' && name !== 'softmax'));
    return { ...l, units: single ? 1 : data.classes.length };
  });
  return { inputShape: data.inputShape, layers };
}

function callbacksOf(spec: RunSpec, path: string): Callback[] {
  return spec.training.callbacks.map((c, i) => callback(c, `${path}.training.callbacks[${i}]`));
}

/**
 * Loads the data of every cell, builds every model and trainer, and runs one training batch (forward, loss,
 * backward, metrics) and one evaluation batch through each distinct config: every config error surfaces here,
 * before any run is stored, naming the cell, the layer, the loss and the shapes.
 */
export async function preflight(exp: Experiment): Promise<Map<string, PreparedData>> {
  const data = new Map<string, PreparedData>();
  const checked = new Set<string>();
  try {
    for (const [i, cell] of exp.cells.entries()) {
      const where = exp.cells.length > 1 ? `study cell ${i + 1} (${cell.label})` : 'experiment';
      const key = dataKey(cell.spec.data, exp.seed);
      if (!data.has(key)) data.set(key, await prepareData(cell.spec.data, exp.seed, 'data'));
      const prepared = data.get(key)!;
      const model = new Sequential(completeModel(cell.spec, prepared), `${where}: model`);
      try {
        const trainer = makeTrainer(cell.spec, model, `${where}: training`);
        try {
          callbacksOf(cell.spec, where);
          const config = JSON.stringify({ ...cell.spec, evaluateTest: null });
          if (!checked.has(config)) {
            checked.add(config);
            checkFirstBatch(exp, cell.spec, prepared, trainer, where);
          }
        } finally {
          trainer.dispose();
        }
      } finally {
        model.dispose();
      }
    }
  } catch (e) {
    for (const d of data.values()) disposePrepared(d);
    throw e;
  }
  return data;
}

/** One batch of the training data (augmented as training batches are) through the trainer; a failure is a ConfigError. */
function checkFirstBatch(exp: Experiment, spec: RunSpec, data: PreparedData, trainer: Trainer, where: string): void {
  const n = Math.min(spec.training.batchSize, data.train.y.shape[0]);
  const random = planAugment(spec.data.augment as AugmentConfig | null).random;
  try {
    tidy(() => {
      const raw = data.train.x.narrow(0, 0, n);
      const x = random ? new Augmentation(random).apply(raw, 0) : raw;
      trainer.checkBatch(x, data.train.y.narrow(0, 0, n), spec.training.classWeight ?? undefined);
    });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const loss = (spec.training.loss as { name: string }).name;
    const labels = `${data.classes.length} classes${trainer.head.units === 1 ? ', one output unit for P(class 1)' : ''}`;
    throw new ConfigError(
      where,
      `a first training batch fails, so every run would: ${(e as Error).message} (model input ${fmtShape(data.inputShape)}, output ${fmtShape(trainer.model.outputShape)}; loss ${loss}; labels of ${labels})`,
      exp.file ?? undefined,
    );
  }
}

/** A line for the person watching (progress goes to the same stream). */
export function say(o: RunOptions, line: string): void {
  (o.stream ?? process.stdout).write(`${line}\n`);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** trainSamplesPerS of a run: the median over its epochs of the training phase's samples per second. */
export function trainSamplesPerS(epochs: EpochLog[]): number {
  return median(epochs.map((e) => e.samplesPerS));
}

/** What a tuner's trial adds to a run: its number, callbacks (pruning, best weights), its progress prefix. */
export interface RunExtras {
  trial?: number;
  /** The crashed trial this trial repeats. */
  retryOf?: number;
  callbacks?: Callback[];
  /** Replaces the "run i/n [label] repeat r" prefix of progress lines. */
  prefix?: string;
  /** Print the model summary (default: for the first repeat). */
  summary?: boolean;
  /**
   * Continue this stored run (reopened by reopenForResume) from its checkpoint, loaded once: runOne trains on
   * from it and disposes it.
   */
  resume?: { record: RunRecord; checkpoint: TrainingCheckpoint };
  /** This run's row, already created (a trial claimed by its number): filled in instead of a new run. */
  claimed?: RunRecord;
}

/**
 * Reopens an interrupted or crashed run to resume it from `checkpoint` (its newest, loaded and so verified
 * before anything changes), and makes its stored epochs match the checkpoint: epochs after it go (they are
 * trained again), and epochs it has that the store missed (the process died between writing the checkpoint and
 * storing the epoch) are added from its history. Throws when the run cannot be reopened (it ended, or another
 * process reopened it first).
 */
export async function reopenForResume(store: RunStore, runId: number, checkpoint: TrainingCheckpoint): Promise<RunRecord> {
  const record = await store.reopenRun(runId);
  await store.deleteEpochsFrom(runId, checkpoint.completed);
  const stored = new Set((await store.getEpochs(runId)).map((e) => e.epoch));
  for (const log of checkpoint.history) if (log.epoch < checkpoint.completed && !stored.has(log.epoch)) await store.addEpoch(runId, log);
  return record;
}

/** The newest checkpoint of a run, loaded and verified, or null when it has none. */
export function latestCheckpointOf(artifactsDir: string, runId: number): TrainingCheckpoint | null {
  const dir = checkpointDir(artifactsDir, runId);
  return existsSync(dir) && listCheckpoints(dir).length > 0 ? loadLatestCheckpoint(dir) : null;
}

/** Where a run's epoch checkpoints live: beside its weights folder (which is replaced whole when it is saved). */
export function checkpointDir(artifactsDir: string, runId: number): string {
  return path.join(artifactsDir, `run-${runId}.checkpoints`);
}

/**
 * Trains one run of a cell (seed: the experiment's + repeat), storing it with its epochs as it goes, then
 * evaluates it (validation, and test when the cell's spec says so), saves its weights and ends its record. A
 * run that throws is stored as failed with the reason and returned, not thrown.
 */
export async function runOne(
  exp: Experiment,
  cell: StudyCell,
  repeat: number,
  data: PreparedData,
  studyId: number | null,
  index: { i: number; n: number },
  o: RunOptions,
  extras: RunExtras = {},
): Promise<RunOutcome> {
  const seed = exp.seed + repeat;
  manualSeed(seed);
  const model = new Sequential(completeModel(cell.spec, data));
  const trainer = makeTrainer(cell.spec, model, 'training');
  const environment: RunEnvironment = {
    nnlab: nnlabVersion(),
    libtorch: libtorchInfo().version,
    node: process.version,
    threads: getThreads(),
    device: trainer.device,
    dataFingerprint: data.fingerprint,
    host: os.hostname(),
  };
  let record: RunRecord;
  try {
    const fields = { label: cell.label, values: cell.values, config: { ...cell.spec, model: model.getConfig(), dataSeed: exp.seed, classes: [...data.classes] }, environment };
    if (extras.resume) record = extras.resume.record;
    else if (extras.claimed) record = await o.store.updateRun(extras.claimed.id, fields);
    else record = await o.store.createRun({ ...fields, studyId, seed, repeat, trial: extras.trial ?? null, retryOf: extras.retryOf ?? null });
  } catch (e) {
    // Not stored (a trial another worker claimed first, a store that went away): nothing to train.
    trainer.dispose();
    model.dispose();
    throw e;
  }
  const beat = setInterval(() => void o.store.heartbeat(record.id).catch(() => undefined), heartbeatSeconds(o) * 1000);
  beat.unref();
  const checkpoints = checkpointDir(o.artifactsDir, record.id);
  if (extras.summary ?? repeat === 0) say(o, `${cell.label ? `Model of ${cell.label}` : 'Model'}:\n${formatSummary(model)}`);
  const pending: Promise<void>[] = [];
  let storeError: Error | null = null;
  const epochs: EpochLog[] = [];
  const started = performance.now();
  const prefix = extras.prefix ?? (index.n > 1 ? `run ${index.i}/${index.n}${cell.label ? ` [${cell.label}]` : ''}${exp.repeats > 1 ? ` repeat ${repeat + 1}` : ''} ` : '');
  try {
    const history = await trainer.fit(data.train, {
      epochs: cell.spec.training.epochs,
      batchSize: cell.spec.training.batchSize,
      shuffle: cell.spec.data.shuffle,
      validationData: data.val,
      classWeight: cell.spec.training.classWeight ?? undefined,
      augment: planAugment(cell.spec.data.augment as AugmentConfig | null).random ?? undefined,
      seed,
      signal: o.signal,
      checkpoint: { dir: checkpoints },
      ...(extras.resume ? { resume: extras.resume.checkpoint } : {}),
      callbacks: [
        ...callbacksOf(cell.spec, 'experiment'),
        ...(extras.callbacks ?? []),
        {
          name: 'store',
          onEpochEnd: (log) => {
            epochs.push(log);
            // Held until the run ends; a failed write (the run was marked crashed, the store went away) is thrown then.
            pending.push(o.store.addEpoch(record.id, log).catch((e: unknown) => void (storeError ??= e as Error)));
          },
        },
        new Progress({ stream: o.stream ?? process.stdout, bar: o.bar, prefix }),
      ],
    });
    await Promise.all(pending);
    if (storeError) throw storeError;
    epochs.splice(0, epochs.length, ...history.epochs); // a resumed run's history has the restored epochs too
    const metrics: FinalMetrics = {};
    if (epochs.length) metrics.train = epochs[epochs.length - 1].train;
    if (history.status !== 'diverged' && history.status !== 'interrupted') {
      metrics.val = trainer.evaluate(data.val, { batchSize: cell.spec.training.batchSize });
      if (cell.spec.evaluateTest) metrics.test = data.test.finalEvaluation((t) => trainer.evaluate(t, { batchSize: cell.spec.training.batchSize }));
    }
    const dir = path.join(o.artifactsDir, `run-${record.id}`);
    saveModel(dir, model, { classes: [...data.classes], preprocess: data.preprocess, sampleShape: data.sampleShape, flatten: cell.spec.data.flatten, transforms: data.transforms, output: trainer.head, label: cell.label, values: cell.values, summary: formatSummary(model) });
    await o.store.addArtifact({ runId: record.id, studyId, kind: 'weights', path: dir, sha256: hashArtifact(dir) });
    const done = await finish(o.store, record.id, { status: history.status, message: history.message, wallTimeS: (performance.now() - started) / 1000 + (extras.resume?.record.wallTimeS ?? 0), metrics });
    // Checkpoints are for resuming: an interrupted run keeps them, any other end has no use for them.
    if (done.status !== 'interrupted') rmSync(checkpoints, { recursive: true, force: true });
    if (done.status === 'diverged') say(o, `${prefix}run ${done.id} diverged: ${done.message}`);
    return { record: done, epochs };
  } catch (e) {
    await Promise.allSettled(pending);
    const done = await finish(o.store, record.id, { status: 'failed', message: (e as Error).message, wallTimeS: (performance.now() - started) / 1000, metrics: {} });
    say(o, `${prefix}run ${done.id} failed: ${done.message}`);
    return { record: done, epochs };
  } finally {
    clearInterval(beat);
    trainer.dispose();
    model.dispose();
    extras.resume?.checkpoint.dispose();
  }
}

/**
 * Ends a run; one that another process already marked crashed (its heartbeats were late: a stalled machine or
 * store) keeps that status, and its record is returned as stored.
 */
async function finish(store: RunStore, id: number, end: Parameters<RunStore['finishRun']>[1]): Promise<RunRecord> {
  try {
    return await store.finishRun(id, end);
  } catch (e) {
    const run = await store.getRun(id);
    if (run && run.status === 'crashed') return run;
    throw e;
  }
}

/** Statuses of a run that will not go on by itself: a rerun of its study resumes or redoes it. */
const UNFINISHED = ['interrupted', 'crashed'];

/**
 * The unfinished study this experiment continues: the newest study of the same name, file and experiment whose
 * runs are not all there and ended (a Ctrl-C or a crash stopped it), or null (a finished study is not continued:
 * running the file again is a new study, as it always was).
 */
async function unfinishedStudy(exp: Experiment, o: RunOptions): Promise<{ study: StudyRecord; runs: RunRecord[] } | null> {
  const same = JSON.stringify(exp.raw);
  const previous = (await o.store.listStudies()).filter((s) => s.kind === 'study' && s.name === exp.name && s.file === exp.file).pop();
  if (!previous || JSON.stringify(previous.experiment) !== same) return null;
  await o.store.markCrashed(graceSeconds(o));
  const runs = await o.store.listRuns({ studyId: previous.id });
  const unfinished = runs.some((r) => UNFINISHED.includes(r.status)) || runs.length < exp.cells.length * exp.repeats;
  return unfinished && !runs.some((r) => r.status === 'running') ? { study: previous, runs } : null;
}

/** A stored run of the cell and repeat, resumed from its checkpoint when it was interrupted or crashed (else null: train it anew). */
async function continueRun(exp: Experiment, cell: StudyCell, repeat: number, data: PreparedData, study: StudyRecord, stored: RunRecord[], index: { i: number; n: number }, o: RunOptions): Promise<RunOutcome | null> {
  const run = stored.filter((r) => r.label === cell.label && r.repeat === repeat).pop();
  if (!run) return null;
  if (!UNFINISHED.includes(run.status)) return { record: run, epochs: await o.store.getEpochs(run.id) };
  const checkpoint = latestCheckpointOf(o.artifactsDir, run.id);
  if (checkpoint === null) return null;
  let record: RunRecord;
  try {
    record = await reopenForResume(o.store, run.id, checkpoint);
  } catch (e) {
    checkpoint.dispose();
    throw e;
  }
  say(o, `resuming run ${run.id}${cell.label ? ` [${cell.label}]` : ''} of study ${study.id} from its checkpoint`);
  return runOne(exp, cell, repeat, data, study.id, index, o, { resume: { record, checkpoint }, summary: false });
}

export async function runExperiment(exp: Experiment, o: RunOptions): Promise<ExperimentOutcome> {
  const data = await preflight(exp);
  const isStudy = exp.cells.length > 1 || exp.repeats > 1;
  const previous = isStudy ? await unfinishedStudy(exp, o) : null;
  if (previous) say(o, `continuing study ${previous.study.id} (${exp.name}): ${previous.runs.filter((r) => !UNFINISHED.includes(r.status)).length} of ${exp.cells.length * exp.repeats} runs done`);
  const study = previous?.study ?? (isStudy ? await o.store.createStudy({ name: exp.name, file: exp.file, experiment: exp.raw }) : null);
  const runs: RunOutcome[] = [];
  const n = exp.cells.length * exp.repeats;
  try {
    const first = data.get(dataKey(exp.cells[0].spec.data, exp.seed))!;
    const baselines = exp.baselines.length ? scoreBaselines(exp.baselines, first, exp.seed, exp.cells[0].spec.training.metrics, exp.evaluateTest !== 'none') : [];
    if (study && baselines.length) await o.store.setStudyBaselines(study.id, baselines);
    outer: for (let repeat = 0; repeat < exp.repeats; repeat++) {
      for (const cell of exp.cells) {
        if (o.signal?.aborted) break outer;
        const prepared = data.get(dataKey(cell.spec.data, exp.seed))!;
        const index = { i: runs.length + 1, n };
        const continued = previous && study ? await continueRun(exp, cell, repeat, prepared, study, previous.runs, index, o) : null;
        const outcome = continued ?? (await runOne(exp, cell, repeat, prepared, study?.id ?? null, index, o));
        runs.push(outcome);
        if (outcome.record.status === 'interrupted') break outer;
      }
    }
    const interrupted = runs.some((r) => r.record.status === 'interrupted') || (o.signal?.aborted ?? false);
    let finalTest: FinalTest | null = null;
    if (exp.evaluateTest === 'best' && !interrupted) {
      const weightsOf = (run: RunRecord) => runWeights(o.store, run.id);
      finalTest = await testBestConfig(exp, runs.map((r) => r.record), (cell) => data.get(dataKey(cell.spec.data, exp.seed))!, weightsOf, o.store);
      for (const tested of finalTest?.runs ?? []) {
        const i = runs.findIndex((r) => r.record.id === tested.id);
        runs[i] = { ...runs[i], record: tested };
      }
    }
    return { studyId: study?.id ?? null, runs, baselines, interrupted, finalTest };
  } finally {
    for (const d of data.values()) disposePrepared(d);
  }
}

/** The `runs` entries of `nnlab run --json`. */
export function runJson(r: RunOutcome) {
  return {
    id: r.record.id,
    status: r.record.status,
    label: r.record.label,
    values: r.record.values,
    config: r.record.config,
    seed: r.record.seed,
    /** Where it trained (cpu, cuda:N). */
    device: r.record.environment.device ?? null,
    epochs: r.epochs.length,
    wallTimeS: r.record.wallTimeS,
    trainSamplesPerS: trainSamplesPerS(r.epochs),
    metrics: r.record.metrics as Record<string, Logs>,
    message: r.record.message,
  };
}
