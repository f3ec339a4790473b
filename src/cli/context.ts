// What the commands share: the store (--store, or NNLAB_STORE, or .nnlab/runs.db), nnlab's working folder
// (NNLAB_HOME, default .nnlab: weights of runs), and the --json convention (the last stdout line is one JSON
// object; human-readable output then goes to stderr).
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { openStore, DEFAULT_STORE_PATH, type RunRecord, type RunStore, type StudyRecord } from '../store/index.js';
import { terminalText } from '../report/escape.js';

export function homeDir(): string {
  return path.resolve(process.env.NNLAB_HOME ?? '.nnlab');
}

/**
 * Where a store's runs keep their weights: $NNLAB_HOME/artifacts/<the store's id>, so two stores (a second
 * SQLite file, a PostgreSQL database) never write into each other's folders.
 */
export async function artifactsDirOf(store: RunStore): Promise<string> {
  return path.join(homeDir(), 'artifacts', await store.storeId());
}

/**
 * Opens the store; a URL that cannot connect is a usage error (exit 2), reported before any work. Only nnlab's
 * own folder (.nnlab/, or NNLAB_HOME) is created on first use: a SQLite store named in a folder that does not
 * exist is refused, not created empty (a typo in --store would otherwise show an empty lab).
 */
export async function storeFrom(opts: { store?: string }): Promise<RunStore> {
  const url = opts.store ?? process.env.NNLAB_STORE ?? path.join(homeDir(), path.basename(DEFAULT_STORE_PATH));
  const createFolder = path.dirname(path.resolve(url.replace(/^sqlite:/i, ''))) === homeDir();
  try {
    return await openStore(url, { createFolder });
  } catch (e) {
    throw new ConfigError('--store', (e as Error).message);
  }
}


/**
 * Ctrl-C (and the other `signals`) as a request to stop: the first one aborts the returned signal after saying
 * so on `out` (the run ends after its current step, its state kept); a second one quits at once (exit 130).
 * release() stops listening.
 */
export function interruptible(
  out: NodeJS.WritableStream,
  message = 'nnlab: interrupting after the current step (Ctrl-C again to quit at once)',
  signals: NodeJS.Signals[] = ['SIGINT'],
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    out.write(`\n${message}\n`);
    controller.abort();
  };
  for (const s of signals) process.on(s, onSignal);
  return { signal: controller.signal, release: () => signals.forEach((s) => process.off(s, onSignal)) };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

let partial: Record<string, unknown> | null = null;

/**
 * What a command has achieved so far, for the JSON line of a call that fails after it (e.g. runs trained, then
 * the report cannot be written): main prints it beside the `error`.
 */
export function setPartialResult(value: Record<string, unknown> | null): void {
  partial = value;
}

export function partialResult(): Record<string, unknown> | null {
  return partial;
}

/**
 * Writes `text` and a line break for a person to read, control characters escaped (see terminalText): names in
 * it (studies, labels, factor levels, classes, files) come from files a user did not necessarily write.
 */
export function say(out: NodeJS.WritableStream, text: string): void {
  out.write(`${terminalText(text)}\n`);
}

/** Where human-readable output goes: stdout, or stderr when stdout carries --json. */
export function humanStream(json: boolean | undefined): NodeJS.WriteStream {
  return json ? process.stderr : process.stdout;
}

/** The run `ref` names (a positive integer id); an unknown one is a usage error (exit 2) naming `field`. */
export async function requireRun(store: RunStore, ref: string, field = 'run'): Promise<RunRecord> {
  const run = await store.getRun(parseId(ref, field));
  if (!run) throw new ConfigError(field, `no run ${ref} in ${store.url}`);
  return run;
}

/** The study `ref` names (an id, or a name); an unknown one is a usage error (exit 2) naming `field`. */
export async function requireStudy(store: RunStore, ref: string, field = 'study'): Promise<StudyRecord> {
  const study = await store.getStudy(/^\d+$/.test(ref) ? Number(ref) : ref);
  if (!study) throw new ConfigError(field, `no study '${ref}' in ${store.url}`);
  return study;
}

export function parseId(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(what, `expected a positive integer id, got '${value}'`);
  return n;
}

/**
 * `--device`: checked now (a device this machine lacks is a usage error, exit 2, before any work), then handed
 * to the trainers as NNLAB_DEVICE, which also reaches the worker processes `run --workers` starts.
 */
export async function applyDeviceOption(device: string | undefined): Promise<void> {
  if (device === undefined) return;
  const { resolveDevice } = await import('../engine/device.js'); // loads libtorch: only when asked
  resolveDevice(device, '--device');
  process.env.NNLAB_DEVICE = device;
}
