// Training checkpoints: the whole state of a run after a completed epoch, so that fit({ resume }) continues
// exactly where the run was (on CPU the resumed run's metrics and weights equal the uninterrupted run's).
//
// Layout: a run's checkpoint folder holds one folder per checkpoint, named by the epochs completed (4 digits
// or more): <dir>/epoch-0003/ is the state after the third epoch. Each is a verified folder
// (src/io/verified-dir.ts: manifest.json lists every file's size and sha256) holding
//   trainer.json           format, epochs completed, the run seed, the loader position, the run's shape
//                          (batch size, shuffle, dropLast, sample counts) and a final stop (earlyStopping...)
//   history.json           the epoch logs so far
//   optimizer.json         the optimizer's metadata: step counts, epoch, iterations, lr scale (with the config's
//                          schedule, these fix every later learning rate)
//   callbacks.json         each stateful callback's JSON state, by key (its name; name#2 for a second one)
//   weights.safetensors    the model's state dict (weights and buffers such as batch-norm statistics)
//   optimizer.safetensors  the optimizer's state tensors (momenta, Adam's moments)
//   callbacks.safetensors  the callbacks' tensors (best weights), named `<index>:<name>`
// JSON numbers are exact (src/io/exact-json.ts: NaN and ±Infinity survive). The randomness needs no native
// generator state: each epoch's generator seed is a function of (run seed, epoch) (run-random.ts), and the
// loader's order and augmentation draws are functions of the epoch, so the loader position is the next epoch.
//
// Writing (saveTrainingCheckpoint) is atomic: the folder is filled as a hidden temp sibling, each file
// fsynced, the folder fsynced, renamed in, the parent fsynced; then older checkpoints beyond `keep` (and any
// of later epochs, left by a run resumed from an earlier one) are removed by renaming them aside first, and
// temp folders left by a killed writer are deleted. A crash at any moment leaves every epoch-NNNN folder
// complete. One writer per checkpoint folder.
//
// Loading (loadTrainingCheckpoint, loadLatestCheckpoint) verifies every file's sha256 before using any of
// it: a corrupt file is a CheckpointError naming it and 'sha256'. loadLatestCheckpoint loads the newest and
// throws when it does not verify, unless told to fall back to the newest that does. Loading never writes.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { removeDirAtomic } from '../io/atomic.js';
import { CheckpointError } from '../io/checkpoint.js';
import { parseExact, stringifyExact } from '../io/exact-json.js';
import { fromBuffer, SafetensorsError, toBuffer } from '../io/safetensors.js';
import { MANIFEST_FILE, readVerifiedDir, writeVerifiedDir } from '../io/verified-dir.js';
import { dispose, type Tensor } from '../tensor/index.js';
import type { OptimizerState, OptimizerStateMeta } from '../optim/index.js';
import type { EpochLog, RunStatus } from '../record/history.js';
import type { Callback, CallbackState, TrainContext } from './callbacks/callback.js';

export const TRAINING_CHECKPOINT_FORMAT = 'nnlab.training-checkpoint/1';
/** Complete checkpoints kept by default: the newest and the one before. */
export const DEFAULT_KEEP = 2;

const FILES = {
  trainer: 'trainer.json',
  history: 'history.json',
  optimizer: 'optimizer.json',
  callbacks: 'callbacks.json',
  weights: 'weights.safetensors',
  optimizerTensors: 'optimizer.safetensors',
  callbackTensors: 'callbacks.safetensors',
} as const;

const FOLDER = /^epoch-(\d{4,})$/;
/** What a killed writer can leave beside the checkpoints (replaceDirAtomic / removeDirAtomic temp names). */
const STALE = /^\.epoch-\d{4,}\.(tmp|old|del)-/;

/** What must stay the same for a resumed run to repeat the original exactly. */
export interface RunShape {
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  /** Training samples (before dropLast). */
  trainSamples: number;
  /** Validation samples, or null without validation. */
  valSamples: number | null;
}

/** A stop that ends the run for good (earlyStopping, a pruner). 'interrupted' is not one: a resume continues. */
export interface FinalStop {
  status: Exclude<RunStatus, 'completed' | 'interrupted'>;
  message: string;
}

/** A stateful callback's state, by its key (its name, `name#2` for the second of that name...). */
export interface SavedCallback {
  key: string;
  state: CallbackState;
}

/** The state of a run after `completed` epochs. */
export interface TrainingState {
  /** Epochs completed: the next epoch's index (0-based). */
  completed: number;
  seed: number;
  run: RunShape;
  stop: FinalStop | null;
  history: EpochLog[];
  weights: Record<string, Tensor>;
  optimizer: OptimizerState;
  callbacks: SavedCallback[];
}

/** A loaded checkpoint: its tensors belong to it until dispose(). */
export interface TrainingCheckpoint extends TrainingState {
  /** The epoch-NNNN folder it was read from. */
  dir: string;
  /** With fallback: why newer checkpoints were skipped (empty when the newest loaded). */
  skipped: string[];
  dispose(): void;
}

/** The folder name of the checkpoint after `completed` epochs: epoch-0003. */
export function checkpointName(completed: number): string {
  return `epoch-${String(completed).padStart(4, '0')}`;
}

/** The complete checkpoints in a run's checkpoint folder, oldest first (none when the folder is absent). */
export function listCheckpoints(root: string): { dir: string; completed: number }[] {
  if (!existsSync(root)) return [];
  // The entry types come with the listing: no second look that a concurrent prune could race.
  return readdirSync(root, { withFileTypes: true })
    .map((entry) => ({ entry, m: FOLDER.exec(entry.name) }))
    .filter(({ entry, m }) => m !== null && entry.isDirectory())
    .map(({ entry, m }) => ({ dir: path.join(root, entry.name), completed: Number(m![1]) }))
    .sort((a, b) => a.completed - b.completed);
}

// ---- writing -------------------------------------------------------------------------------------------------

function json(dir: string, file: string, value: unknown): Buffer {
  try {
    return Buffer.from(stringifyExact(value, file.slice(0, -'.json'.length)), 'utf8');
  } catch (e) {
    throw new CheckpointError(path.join(dir, file), (e as Error).message);
  }
}

function tensors(dir: string, file: string, t: Record<string, Tensor>): Buffer {
  try {
    return toBuffer(t);
  } catch (e) {
    throw e instanceof SafetensorsError ? new SafetensorsError(e.code, path.join(dir, file), e.problem, e.tensor) : e;
  }
}

/** The files of a checkpoint folder, by name. */
function encode(dir: string, s: TrainingState): Record<string, Uint8Array> {
  const callbackTensors: Record<string, Tensor> = {};
  const callbacks = s.callbacks.map(({ key, state }, i) => {
    const t = state.tensors ?? {};
    for (const [name, tensor] of Object.entries(t)) callbackTensors[`${i}:${name}`] = tensor;
    return { key, json: state.json, tensors: Object.keys(t) };
  });
  const trainer = {
    format: TRAINING_CHECKPOINT_FORMAT,
    completed: s.completed,
    seed: s.seed,
    randomness: 'libtorch seeded with epochSeed(seed, epoch) at the start of each epoch (src/train/run-random.ts)',
    loader: { nextEpoch: s.completed, nextBatch: 0 },
    run: s.run,
    stop: s.stop,
  };
  return {
    [FILES.trainer]: json(dir, FILES.trainer, trainer),
    [FILES.history]: json(dir, FILES.history, s.history),
    [FILES.optimizer]: json(dir, FILES.optimizer, s.optimizer.meta),
    [FILES.callbacks]: json(dir, FILES.callbacks, callbacks),
    [FILES.weights]: tensors(dir, FILES.weights, s.weights),
    [FILES.optimizerTensors]: tensors(dir, FILES.optimizerTensors, s.optimizer.tensors),
    [FILES.callbackTensors]: tensors(dir, FILES.callbackTensors, callbackTensors),
  };
}

function checkKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`checkpoint.keep: expected an integer >= 1, got ${JSON.stringify(keep)}`);
}

/**
 * Writes the checkpoint after `state.completed` epochs into `root` (created if needed) as
 * <root>/epoch-NNNN, atomically, then keeps only the newest `keep` checkpoints up to this one. Returns the
 * folder written. On error nothing under its name changes.
 */
export function saveTrainingCheckpoint(root: string, state: TrainingState, keep = DEFAULT_KEEP): string {
  checkKeep(keep);
  const dir = path.join(root, checkpointName(state.completed));
  const files = encode(dir, state);
  mkdirSync(root, { recursive: true });
  writeVerifiedDir(dir, TRAINING_CHECKPOINT_FORMAT, files);
  prune(root, state.completed, keep);
  return dir;
}

/** Removes temp folders of killed writers, checkpoints after `newest`, and all but the `keep` newest up to it. */
function prune(root: string, newest: number, keep: number): void {
  for (const name of readdirSync(root)) if (STALE.test(name)) rmSync(path.join(root, name), { recursive: true, force: true });
  const all = listCheckpoints(root);
  const upTo = all.filter((c) => c.completed <= newest);
  const doomed = [...all.filter((c) => c.completed > newest), ...upTo.slice(0, Math.max(0, upTo.length - keep))];
  for (const c of doomed) removeDirAtomic(c.dir);
}

// ---- reading -------------------------------------------------------------------------------------------------

function parseJson(dir: string, bytes: Record<string, Buffer>, file: string): unknown {
  const at = path.join(dir, file);
  if (!(file in bytes)) throw new CheckpointError(at, `is not listed in ${MANIFEST_FILE}`);
  try {
    return parseExact(bytes[file].toString('utf8'));
  } catch (e) {
    throw new CheckpointError(at, `is not valid JSON (${(e as Error).message})`);
  }
}

function parseTensors(dir: string, bytes: Record<string, Buffer>, file: string, owned: Record<string, Tensor>[]): Record<string, Tensor> {
  const at = path.join(dir, file);
  if (!(file in bytes)) throw new CheckpointError(at, `is not listed in ${MANIFEST_FILE}`);
  const t = fromBuffer(bytes[file], { source: at }).tensors;
  owned.push(t);
  return t;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const count = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;

/** trainer.json, checked. */
function readTrainer(dir: string, value: unknown): { completed: number; seed: number; run: RunShape; stop: FinalStop | null } {
  const fail = (problem: string) => new CheckpointError(path.join(dir, FILES.trainer), problem);
  if (!isObject(value) || value.format !== TRAINING_CHECKPOINT_FORMAT) throw fail(`is not an nnlab training checkpoint (format ${JSON.stringify(isObject(value) ? value.format : value)}, expected '${TRAINING_CHECKPOINT_FORMAT}')`);
  const { completed, seed, run, stop } = value;
  if (!count(completed, 1)) throw fail(`completed: expected an integer >= 1, got ${JSON.stringify(completed)}`);
  if (!count(seed, 0)) throw fail(`seed: expected an integer >= 0, got ${JSON.stringify(seed)}`);
  const r = run as RunShape;
  const shapeOk = isObject(run) && count(r.batchSize, 1) && typeof r.shuffle === 'boolean' && typeof r.dropLast === 'boolean' && count(r.trainSamples, 1) && (r.valSamples === null || count(r.valSamples, 0));
  if (!shapeOk) throw fail(`run: expected { batchSize, shuffle, dropLast, trainSamples, valSamples }, got ${JSON.stringify(run)}`);
  if (stop !== null && !(isObject(stop) && typeof stop.status === 'string' && typeof stop.message === 'string')) throw fail(`stop: expected null or { status, message }, got ${JSON.stringify(stop)}`);
  return { completed: completed as number, seed: seed as number, run: r, stop: stop as FinalStop | null };
}

/** callbacks.json with its tensors, checked. */
function readCallbacks(dir: string, value: unknown, t: Record<string, Tensor>): SavedCallback[] {
  const fail = (problem: string) => new CheckpointError(path.join(dir, FILES.callbacks), problem);
  if (!Array.isArray(value)) throw fail('expected a list of { key, json, tensors }');
  const byIndex = new Map<string, Record<string, Tensor>>();
  for (const [name, tensor] of Object.entries(t)) {
    const cut = name.indexOf(':');
    if (cut < 1) throw new CheckpointError(path.join(dir, FILES.callbackTensors), `tensor '${name}' is not named '<index>:<name>'`);
    const group = byIndex.get(name.slice(0, cut)) ?? {};
    group[name.slice(cut + 1)] = tensor;
    byIndex.set(name.slice(0, cut), group);
  }
  return value.map((c: unknown, i) => {
    if (!isObject(c) || typeof c.key !== 'string' || !Array.isArray(c.tensors)) throw fail(`[${i}]: expected { key, json, tensors }`);
    const group = byIndex.get(String(i)) ?? {};
    const missing = (c.tensors as unknown[]).find((n) => typeof n !== 'string' || !(n in group));
    if (missing !== undefined) throw new CheckpointError(path.join(dir, FILES.callbackTensors), `has no tensor '${i}:${String(missing)}' of callback '${c.key}'`);
    return { key: c.key, state: { json: c.json, tensors: group } };
  });
}

/**
 * Loads one checkpoint folder (epoch-NNNN). Every file is checked against manifest.json's sha256 first; a
 * missing, corrupt or malformed file is a CheckpointError (or a SafetensorsError) naming it.
 */
export function loadTrainingCheckpoint(dir: string): TrainingCheckpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(dir, existsSync(dir) ? 'is not a directory' : 'no such checkpoint folder');
  const bytes = readVerifiedDir(dir, TRAINING_CHECKPOINT_FORMAT);
  const trainer = readTrainer(dir, parseJson(dir, bytes, FILES.trainer));
  const history = parseJson(dir, bytes, FILES.history);
  if (!Array.isArray(history) || history.length !== trainer.completed || !history.every((e, i) => isObject(e) && e.epoch === i)) {
    throw new CheckpointError(path.join(dir, FILES.history), `expected the logs of epochs 1..${trainer.completed}`);
  }
  const meta = parseJson(dir, bytes, FILES.optimizer) as OptimizerStateMeta;
  const callbackJson = parseJson(dir, bytes, FILES.callbacks);
  const owned: Record<string, Tensor>[] = [];
  try {
    const weights = parseTensors(dir, bytes, FILES.weights, owned);
    const optimizer = { meta, tensors: parseTensors(dir, bytes, FILES.optimizerTensors, owned) };
    const callbacks = readCallbacks(dir, callbackJson, parseTensors(dir, bytes, FILES.callbackTensors, owned));
    let disposed = false;
    return {
      ...trainer,
      history: history as EpochLog[],
      weights,
      optimizer,
      callbacks,
      dir,
      skipped: [],
      dispose: () => {
        if (!disposed) dispose(owned);
        disposed = true;
      },
    };
  } catch (e) {
    dispose(owned);
    throw e;
  }
}

export interface LoadLatestOptions {
  /** When the newest checkpoint does not verify, load the newest one that does (default false: throw). */
  fallback?: boolean;
}

/**
 * Loads the newest checkpoint in a run's checkpoint folder. A newest one that does not verify is an error
 * naming the file, unless `fallback`, which tries older ones (their problems listed in `skipped`).
 */
export function loadLatestCheckpoint(root: string, options: LoadLatestOptions = {}): TrainingCheckpoint {
  const found = listCheckpoints(root).reverse();
  if (found.length === 0) throw new CheckpointError(root, existsSync(root) ? 'holds no checkpoint (no epoch-NNNN folder)' : 'no such checkpoint folder');
  const skipped: string[] = [];
  for (const { dir } of found) {
    try {
      const checkpoint = loadTrainingCheckpoint(dir);
      checkpoint.skipped.push(...skipped);
      return checkpoint;
    } catch (e) {
      if (!options.fallback || !(e instanceof CheckpointError || e instanceof SafetensorsError)) throw e;
      skipped.push((e as Error).message);
    }
  }
  throw new CheckpointError(root, `no checkpoint verifies: ${skipped.join('; ')}`);
}

/** A run's checkpoint folder (its newest checkpoint) or one epoch-NNNN folder (one holding manifest.json). */
export function openCheckpoint(dir: string, options: LoadLatestOptions = {}): TrainingCheckpoint {
  return existsSync(path.join(dir, MANIFEST_FILE)) ? loadTrainingCheckpoint(dir) : loadLatestCheckpoint(dir, options);
}

// ---- callbacks -----------------------------------------------------------------------------------------------

/** The stateful callbacks (those with getState) by key: their name, `name#2` for a second of that name... */
function keyed(callbacks: readonly Callback[]): { key: string; callback: Callback }[] {
  const seen = new Map<string, number>();
  return callbacks
    .filter((c) => typeof c.getState === 'function')
    .map((callback) => {
      const n = (seen.get(callback.name) ?? 0) + 1;
      seen.set(callback.name, n);
      return { key: n === 1 ? callback.name : `${callback.name}#${n}`, callback };
    });
}

/** Every stateful callback's current state, for a checkpoint. */
export function callbackStates(callbacks: readonly Callback[]): SavedCallback[] {
  return keyed(callbacks).map(({ key, callback }) => ({ key, state: callback.getState!() }));
}

/**
 * Gives each stateful callback its saved state. The stateful callbacks must be those of the run that wrote
 * the checkpoint (same names, same order among those of the same name); stateless ones may differ.
 */
export function restoreCallbackStates(callbacks: readonly Callback[], checkpoint: TrainingCheckpoint, ctx: TrainContext): void {
  const file = path.join(checkpoint.dir, FILES.callbacks);
  const saved = new Map(checkpoint.callbacks.map((c) => [c.key, c.state]));
  const live = keyed(callbacks);
  const extra = [...saved.keys()].find((k) => !live.some((c) => c.key === k));
  if (extra !== undefined) throw new CheckpointError(file, `holds the state of callback '${extra}', which this run does not have: resume with the callbacks of the original run`);
  for (const { key, callback } of live) {
    const state = saved.get(key);
    if (!state) throw new CheckpointError(file, `has no state for callback '${key}': resume with the callbacks of the original run`);
    if (typeof callback.setState !== 'function') throw new CheckpointError(file, `callback '${key}' has getState but no setState: it cannot be resumed`);
    try {
      callback.setState(state, ctx);
    } catch (e) {
      throw new CheckpointError(file, `callback '${key}': ${(e as Error).message}`);
    }
  }
}
