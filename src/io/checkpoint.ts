// A checkpoint is a directory: config.json (the model's plain-data config), weights.safetensors (its tensors),
// and optionally more: <name>.json files (training info, optimizer hyperparameters) and <name>.safetensors files
// (optimizer state such as Adam's moments). It is saved atomically, as a whole: a reader never sees a mix of
// two saves, and a failed save leaves the previous checkpoint as it was.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NnlabError } from '../engine/errors.js';
import { dispose, type Tensor } from '../tensor/index.js';
import { replaceDirAtomic, writeAll, writeFileAtomic } from './atomic.js';
import { FileReadError, readRegularFile } from './regular-file.js';
import { readSafetensors, SafetensorsError, writeSafetensors } from './safetensors.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/** A checkpoint that cannot be saved or loaded: names the file (or directory) and the problem. */
export class CheckpointError extends NnlabError {
  override name = 'CheckpointError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

export interface Checkpoint {
  /** The model's config: a JSON-able object. */
  config: Record<string, unknown>;
  /** The model's weights, by parameter name. */
  tensors: Record<string, Tensor>;
  /** String metadata stored in the weights file's header. */
  metadata?: Record<string, string>;
  /** More JSON files, by name: { training: {...} } is written as training.json. */
  extra?: Record<string, unknown>;
  /** More tensor files, by name: { optimizer: {...} } is written as optimizer.safetensors. */
  extraTensors?: Record<string, Record<string, Tensor>>;
}

export type LoadedCheckpoint = Required<Checkpoint>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Throws a CheckpointError naming the field path of the first value JSON cannot hold faithfully. */
function assertJsonable(value: unknown, where: string, file: string, ancestors = new Set<object>()): void {
  const fail = (what: string) => new CheckpointError(file, `${where}: ${what} cannot be stored as JSON`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw fail(String(value));
    return;
  }
  if (typeof value !== 'object') throw fail(`a ${typeof value}`);
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) throw fail(`a ${value.constructor?.name ?? 'non-plain object'}`);
  if (ancestors.has(value)) throw fail('a reference to itself');
  ancestors.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => assertJsonable(v, `${where}[${i}]`, file, ancestors));
  else for (const [k, v] of Object.entries(value)) assertJsonable(v, `${where}.${k}`, file, ancestors);
  ancestors.delete(value);
}

function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, (fd) => writeAll(fd, Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8')));
}

/** Checks the names of extra files: plain file names that do not clash with config.json or weights.safetensors. */
function checkNames(names: string[], reserved: string, dir: string, field: string): void {
  for (const name of names) {
    if (!NAME.test(name) || name === reserved) {
      throw new CheckpointError(dir, `${field}.${name}: an extra file name must be letters, digits, '_', '-' or '.' (not starting with '.'), and not '${reserved}'`);
    }
  }
}

/**
 * Saves a checkpoint into the directory `dir` (created, or replaced as a whole). Everything is written into a
 * temp sibling directory first and swapped in only when complete; on error the previous checkpoint is untouched.
 */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  const { config, tensors, metadata, extra = {}, extraTensors = {} } = checkpoint;
  const configFile = path.join(dir, CONFIG_FILE);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new CheckpointError(configFile, 'config must be a JSON object');
  assertJsonable(config, 'config', configFile);
  checkNames(Object.keys(extra), 'config', dir, 'extra');
  checkNames(Object.keys(extraTensors), 'weights', dir, 'extraTensors');
  for (const [name, value] of Object.entries(extra)) assertJsonable(value, `extra.${name}`, path.join(dir, `${name}.json`));
  // Errors name the file the user will see, not its temp copy.
  const tensorFile = (temp: string, file: string, t: Record<string, Tensor>, meta?: Record<string, string>) => {
    try {
      writeSafetensors(path.join(temp, file), t, meta);
    } catch (e) {
      throw e instanceof SafetensorsError ? new SafetensorsError(e.code, path.join(dir, file), e.problem, e.tensor) : e;
    }
  };
  replaceDirAtomic(dir, (temp) => {
    writeJson(path.join(temp, CONFIG_FILE), config);
    tensorFile(temp, WEIGHTS_FILE, tensors, metadata);
    for (const [name, value] of Object.entries(extra)) writeJson(path.join(temp, `${name}.json`), value);
    for (const [name, t] of Object.entries(extraTensors)) tensorFile(temp, `${name}.safetensors`, t);
  });
}

/** The largest JSON file of a checkpoint read (a model's config and training info take kilobytes). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function readJson(file: string): unknown {
  let text: string;
  try {
    // A regular file of bounded size: a FIFO or a link to /dev/zero in a model folder is refused at once.
    text = readRegularFile(file, MAX_JSON_BYTES).toString('utf8');
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    throw new CheckpointError(file, e.code === 'ENOENT' ? 'missing' : e.code === undefined ? e.reason : `cannot read: ${e.reason.replace(/^cannot read the file: /, '')}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(file, `is not valid JSON (${(e as Error).message})`);
  }
}

/** Where an interrupted save left the previous checkpoint, if it did (see replaceDirAtomic). */
function leftAside(dir: string): string | null {
  const parent = path.dirname(path.resolve(dir));
  const prefix = `.${path.basename(dir)}.old-`;
  if (!existsSync(parent)) return null;
  const found = readdirSync(parent).find((f) => f.startsWith(prefix));
  return found ? path.join(parent, found) : null;
}

/**
 * Loads the checkpoint in `dir`. A missing directory or file, or a corrupt config.json, throws a CheckpointError
 * naming it; a corrupt or hostile .safetensors file throws a SafetensorsError naming it.
 */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const aside = existsSync(dir) ? null : leftAside(dir);
    throw new CheckpointError(dir, existsSync(dir) ? 'is not a directory' : `no such checkpoint directory${aside ? ` (an interrupted save left the previous one at ${aside})` : ''}`);
  }
  const configFile = path.join(dir, CONFIG_FILE);
  const config = readJson(configFile);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new CheckpointError(configFile, 'must hold a JSON object');
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  if (!existsSync(weightsFile)) throw new CheckpointError(weightsFile, 'missing');

  // Only names a save could have written; fromEntries keeps even '__proto__' an ordinary key.
  const files = readdirSync(dir).filter((f) => NAME.test(f)).sort();
  const extra = Object.fromEntries(
    files.filter((f) => f.endsWith('.json') && f !== CONFIG_FILE).map((f) => [f.slice(0, -'.json'.length), readJson(path.join(dir, f))]),
  );
  const loaded: Record<string, Tensor>[] = [];
  try {
    const weights = readSafetensors(weightsFile);
    loaded.push(weights.tensors);
    const extraTensors = Object.fromEntries(
      files
        .filter((f) => f.endsWith('.safetensors') && f !== WEIGHTS_FILE)
        .map((f) => {
          const t = readSafetensors(path.join(dir, f)).tensors;
          loaded.push(t);
          return [f.slice(0, -'.safetensors'.length), t];
        }),
    );
    return { config: config as Record<string, unknown>, tensors: weights.tensors, metadata: weights.metadata, extra, extraTensors };
  } catch (e) {
    dispose(loaded);
    throw e;
  }
}
