// Runs an experiment: every study cell, `repeats` times, each run trained, evaluated, stored and saved.
//
// Everything that can be wrong with the experiment is found before the first run starts (data loads, every
// model builds, every optimizer/loss/metric/callback config is valid), so a bad file writes nothing to the
// store. Runs of different cells share the seeds of their repeat (repeat r uses seed + r), so cells are
// compared on the same splits and shuffles. A failed run is recorded as failed and the study goes on; an
// interrupt (Ctrl-C) records the running run as interrupted, keeps its epochs, and ends the study.
import { rmSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import type { TrainingCheckpoint } from '../train/run-checkpoint.js';
import os from 'node:os';
import path from 'node:path';
import { nnlabVersion } from '../engine/version.js';
import { libtorchInfo } from '../engine/libtorch.js';
import { getThreads } from '../engine/threads.js';
import { makeTrainer } from './make-trainer.js';
import { manualSeed } from '../engine/seed.js';
import { runModel } from './run-model.js';
import { Augmentation, planAugment, type AugmentConfig } from '../data/augment.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { testBestConfig, type FinalTest } from './final-test.js';
import { tidy } from '../tensor/index.js';
import { fmtShape } from '../nn/layers/layer.js';
import { formatSummary } from '../nn/summary.js';
import { terminalText } from '../report/escape.js';
import { Trainer } from '../train/trainer.js';
import { callback } from '../train/callbacks/registry.js';
import { Progress } from '../train/callbacks/progress.js';
import type { Callback } from '../train/callbacks/callback.js';
import type { EpochLog, Logs } from '../record/history.js';
import { saveModel } from '../train/model-io.js';
import { graceSeconds, heartbeatSeconds } from '../store/liveness.js';
import { hashArtifact } from '../store/artifact-hash.js';
import { TrialTakenError, type FinalMetrics, type RunEnvironment, type RunRecord, type RunStore, type StudyRecord } from '../store/types.js';
import { checkpointDir, reopenForResume, skippedNote, usableCheckpoint } from './checkpoints.js';
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
  /**
   * A worker (`nnlab worker`): claims and trains runs of the study until none is left to claim, then returns;
   * waiting for other processes' runs, the test set and ending the study are left to `nnlab run`.
   */
  worker?: boolean;
}


export interface RunOutcome {
  record: RunRecord;
  epochs: EpochLog[];
}

export interface ExperimentOutcome {
  /** The study the runs belong to (a single run is a study of one run). */
  studyId: number;
  /** The study's runs, by repeat and config: those this process trained, and those other processes did. */
  runs: RunOutcome[];
  /** Ids of the runs this process trained (or took over). */
  trained: number[];
  baselines: BaselineResult[];
  interrupted: boolean;
  /** With evaluateTest 'best': the config chosen on validation and its runs' test metrics (else null). */
  finalTest: FinalTest | null;
}

export { completeModel } from './run-model.js';

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
      const { model } = runModel(cell.spec, prepared, `${where}: model`, exp.file);
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
    throw inFile(e, exp.file);
  }
  return data;
}

/** A config error from building a cell (a layer too large, a bad component) names the experiment file too. */
function inFile(e: unknown, file: string | null): unknown {
  if (!(e instanceof ConfigError) || e.file !== undefined || file === null) return e;
  const problem = e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
  return new ConfigError(e.path, problem, file, e.line);
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
  (o.stream ?? process.stdout).write(`${terminalText(line)}\n`); // names in it are shown escaped
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
  /** The study cell (config index) this run repeats: a study's runs are claimed by (cell, repeat), once. */
  cell?: number;
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
  /**
   * This run's row, already created (a trial claimed by its number) or reopened to train again from the start
   * (its checkpoints unusable): filled in instead of a new run.
   */
  claimed?: RunRecord;
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
  const { model, notes } = runModel(cell.spec, data);
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
    else record = await o.store.createRun({ ...fields, studyId, seed, repeat, trial: extras.trial ?? null, retryOf: extras.retryOf ?? null, cell: extras.cell ?? null });
  } catch (e) {
    // Not stored (a trial another worker claimed first, a store that went away): nothing to train.
    trainer.dispose();
    model.dispose();
    throw e;
  }
  // One heartbeat at a time: while the store is unreachable a beat retries (see the store's #query), and the next
  // waits for it rather than piling up.
  let beating = false;
  const beat = setInterval(() => {
    if (beating) return;
    beating = true;
    void o.store.heartbeat(record.id).catch(() => undefined).finally(() => (beating = false));
  }, heartbeatSeconds(o) * 1000);
  beat.unref();
  const checkpoints = checkpointDir(o.artifactsDir, record.id);
  if (extras.summary ?? repeat === 0) say(o, `${cell.label ? `Model of ${cell.label}` : 'Model'}:\n${formatSummary(model)}${notes.map((n) => `\n${n}`).join('')}`);
  // Epochs are stored one after the other, in order, off the training loop: one written late (the store was
  // unreachable for a while) holds back the later ones rather than letting them overtake it.
  let stored: Promise<void> = Promise.resolve();
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
      // What predict needs beside the weights, for models that callbacks (modelCheckpoint) save during the run.
      modelInfo: { classes: [...data.classes], preprocess: data.preprocess, sampleShape: data.sampleShape, flatten: cell.spec.data.flatten, view: cell.spec.data.view, transforms: data.transforms },
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
            // Held until the run ends; a failed write (the run was marked crashed, the store stayed away) is thrown then.
            stored = stored.then(() => (storeError ? undefined : o.store.addEpoch(record.id, log))).catch((e: unknown) => void (storeError ??= e as Error));
          },
        },
        new Progress({ stream: o.stream ?? process.stdout, bar: o.bar, prefix: terminalText(prefix) }),
      ],
    });
    await stored;
    if (storeError) throw storeError;
    epochs.splice(0, epochs.length, ...history.epochs); // a resumed run's history has the restored epochs too
    const metrics: FinalMetrics = {};
    if (epochs.length) metrics.train = epochs[epochs.length - 1].train;
    if (history.status !== 'diverged' && history.status !== 'interrupted') {
      metrics.val = trainer.evaluate(data.val, { batchSize: cell.spec.training.batchSize });
      if (cell.spec.evaluateTest) metrics.test = data.test.finalEvaluation((t) => trainer.evaluate(t, { batchSize: cell.spec.training.batchSize }));
    }
    const dir = path.join(o.artifactsDir, `run-${record.id}`);
    saveModel(dir, model, { classes: [...data.classes], preprocess: data.preprocess, sampleShape: data.sampleShape, flatten: cell.spec.data.flatten, view: cell.spec.data.view, transforms: data.transforms, output: trainer.head, label: cell.label, values: cell.values, summary: formatSummary(model) });
    await o.store.addArtifact({ runId: record.id, studyId, kind: 'weights', path: dir, sha256: hashArtifact(dir) });
    const done = await finish(o.store, record.id, { status: history.status, message: history.message, wallTimeS: (performance.now() - started) / 1000 + (extras.resume?.record.wallTimeS ?? 0), metrics });
    // Checkpoints are for resuming: an interrupted run keeps them, any other end has no use for them.
    if (done.status !== 'interrupted') rmSync(checkpoints, { recursive: true, force: true });
    if (done.status === 'diverged') say(o, `${prefix}run ${done.id} diverged: ${done.message}`);
    return { record: done, epochs };
  } catch (e) {
    await stored;
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

/** Statuses of a run that will not go on by itself: a process running its study takes it over, resumed or redone. */
const UNFINISHED = ['interrupted', 'crashed'];

/**
 * The key processes find an open study by: its file and its experiment as loaded (overrides applied). An
 * experiment made in code without its raw form gets a key of its own: a new study every time.
 */
function studyKey(exp: Experiment): string {
  if (exp.raw === null || exp.raw === undefined) return `unshared:${randomUUID()}`;
  return createHash('sha256').update(JSON.stringify({ file: exp.file, experiment: exp.raw })).digest('hex');
}

/** Throws unless the checkpoint's weights and optimizer state fit the model and optimizer the cell's config builds. */
export function checkpointFits(cell: StudyCell, data: PreparedData): (c: TrainingCheckpoint) => void {
  return (c) => {
    const { model } = runModel(cell.spec, data);
    try {
      const trainer = makeTrainer(cell.spec, model, 'training');
      try {
        model.loadStateDict(c.weights, `${c.dir}/weights.safetensors`);
        trainer.optimizer.loadStateDict(c.optimizer, `${c.dir}/optimizer`);
      } finally {
        trainer.dispose();
      }
    } finally {
      model.dispose();
    }
  };
}

/**
 * Takes over a run of the study that an interrupt or a crash left unfinished: reopens it (one process wins;
 * null for the others) and trains it on from its newest usable checkpoint, or again from its start when it has
 * none, in the same stored run. Checkpoints passed over are named.
 */
async function retake(exp: Experiment, cell: StudyCell, run: RunRecord, data: PreparedData, study: StudyRecord, index: { i: number; n: number }, o: RunOptions): Promise<RunOutcome | null> {
  const { checkpoint, skipped } = usableCheckpoint(o.artifactsDir, run.id, checkpointFits(cell, data));
  let record: RunRecord;
  try {
    record = await reopenForResume(o.store, run.id, checkpoint);
  } catch {
    checkpoint?.dispose();
    return null; // another process took it over first
  }
  const what = `run ${run.id}${cell.label ? ` [${cell.label}]` : ''} of study ${study.id}`;
  if (checkpoint) {
    say(o, `resuming ${what} from its checkpoint after epoch ${checkpoint.completed}${skippedNote(skipped)}`);
    return runOne(exp, cell, run.repeat, data, study.id, index, o, { cell: run.cell ?? undefined, resume: { record, checkpoint }, summary: false });
  }
  say(o, `training ${what} again from its start: it was ${run.status} with no usable checkpoint${skippedNote(skipped)}`);
  return runOne(exp, cell, run.repeat, data, study.id, index, o, { cell: run.cell ?? undefined, claimed: record, summary: false });
}

/** Whether some (config, repeat) of the study has no run yet, or one that has not ended. */
function anyOpen(claims: ReadonlyMap<string, RunRecord>, exp: Experiment): boolean {
  for (let repeat = 0; repeat < exp.repeats; repeat++) {
    for (let c = 0; c < exp.cells.length; c++) {
      const r = claims.get(`${c}/${repeat}`);
      if (r === undefined || r.status === 'running' || UNFINISHED.includes(r.status)) return true;
    }
  }
  return false;
}

/** The study's runs of its cells, by "cell/repeat" (one each: claims are unique). */
function byClaim(runs: readonly RunRecord[]): Map<string, RunRecord> {
  return new Map(runs.filter((r) => r.cell !== null).map((r) => [`${r.cell}/${r.repeat}`, r]));
}

/**
 * Runs an experiment's study. Any number of processes may run the same file against the same store at once
 * (`nnlab run` several times, `nnlab worker`, `run --workers N`): they share one open study, found by its key,
 * and each run of it, a (config, repeat), is claimed once, so it is trained exactly once. A run that an
 * interrupt or a crash left unfinished is taken over by whichever process gets to it first. `nnlab run` then
 * waits for the runs other processes are training, looks at the test set once (the config chosen on
 * validation), and ends the study: the same file run again afterwards is a new study. A single run is a study
 * of one run.
 */
export async function runExperiment(exp: Experiment, o: RunOptions): Promise<ExperimentOutcome> {
  const data = await preflight(exp);
  const n = exp.cells.length * exp.repeats;
  const grace = graceSeconds(o);
  try {
    const { study, created } = await o.store.openStudy({ name: exp.name, file: exp.file, experiment: exp.raw, key: studyKey(exp), kind: 'study' });
    if (!created) {
      await o.store.markCrashed(grace);
      const runs = await o.store.listRuns({ studyId: study.id });
      const done = runs.filter((r) => r.status !== 'running' && !UNFINISHED.includes(r.status)).length;
      const running = runs.filter((r) => r.status === 'running').length;
      say(o, `continuing study ${study.id} (${exp.name}): ${done} of ${n} runs done${running ? `, ${running} running in another process` : ''}`);
    }
    const first = data.get(dataKey(exp.cells[0].spec.data, exp.seed))!;
    const baselines = exp.baselines.length ? scoreBaselines(exp.baselines, first, exp.seed, exp.cells[0].spec.training.metrics, exp.evaluateTest !== 'none') : [];
    if (baselines.length && (created || study.baselines === null)) await o.store.setStudyBaselines(study.id, baselines);

    const mine = new Map<number, RunOutcome>();
    let interrupted = false;
    for (let pass = 0; ; pass++) {
      await o.store.markCrashed(grace);
      const claims = byClaim(await o.store.listRuns({ studyId: study.id }));
      outer: for (let repeat = 0; repeat < exp.repeats; repeat++) {
        for (const [c, cell] of exp.cells.entries()) {
          if (o.signal?.aborted) break outer;
          const prepared = data.get(dataKey(cell.spec.data, exp.seed))!;
          const index = { i: c + repeat * exp.cells.length + 1, n };
          const stored = claims.get(`${c}/${repeat}`);
          let outcome: RunOutcome | null = null;
          if (stored === undefined) {
            try {
              outcome = await runOne(exp, cell, repeat, prepared, study.id, index, o, { cell: c, summary: repeat === 0 && pass === 0 });
            } catch (e) {
              if (!(e instanceof TrialTakenError)) throw e; // another process claimed it first
            }
          } else if (UNFINISHED.includes(stored.status)) {
            outcome = await retake(exp, cell, stored, prepared, study, index, o);
          }
          if (outcome === null) continue;
          mine.set(outcome.record.id, outcome);
          if (outcome.record.status === 'interrupted') {
            interrupted = true;
            break outer;
          }
        }
      }
      interrupted ||= o.signal?.aborted ?? false;
      if (interrupted || o.worker) break;
      // Every run claimed: wait for those other processes are training. One whose process dies is marked crashed
      // after the grace period and taken over on the next pass.
      const now = await o.store.listRuns({ studyId: study.id });
      if (!anyOpen(byClaim(now), exp)) break;
      if (pass === 0 && now.some((r) => r.status === 'running')) say(o, `waiting for the runs of study ${study.id} that other processes are training`);
      await new Promise((r) => setTimeout(r, heartbeatSeconds(o) * 1000));
    }

    const records = [...byClaim(await o.store.listRuns({ studyId: study.id })).values()].sort((a, b) => a.repeat - b.repeat || a.cell! - b.cell!);
    const stored = await o.store.getStudyEpochs(study.id);
    const runs = records.map((record) => mine.get(record.id) ?? { record, epochs: stored.get(record.id) ?? [] });
    const complete = !interrupted && !o.worker && !anyOpen(byClaim(records), exp);
    let finalTest: FinalTest | null = null;
    if (complete) {
      if (exp.evaluateTest === 'best') {
        finalTest = await testBestConfig(exp, study.id, records, (cell) => data.get(dataKey(cell.spec.data, exp.seed))!, o.store);
        for (const tested of finalTest?.runs ?? []) {
          const i = runs.findIndex((r) => r.record.id === tested.id);
          runs[i] = { ...runs[i], record: tested };
        }
      }
      await o.store.closeStudy(study.id);
    }
    return { studyId: study.id, runs, trained: [...mine.keys()], baselines, interrupted, finalTest };
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
