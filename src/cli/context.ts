// What the commands share: the store (--store, or NNLAB_STORE, or .nnlab/runs.db), nnlab's working folder
// (NNLAB_HOME, default .nnlab: weights of runs), and the --json convention (the last stdout line is one JSON
// object; human-readable output then goes to stderr).
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { openStore, DEFAULT_STORE_PATH, type RunStore } from '../store/index.js';

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

/** Opens the store; a URL that cannot connect is a usage error (exit 2), reported before any work. */
export async function storeFrom(opts: { store?: string }): Promise<RunStore> {
  const url = opts.store ?? process.env.NNLAB_STORE ?? path.join(homeDir(), path.basename(DEFAULT_STORE_PATH));
  try {
    return await openStore(url);
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

/** Where human-readable output goes: stdout, or stderr when stdout carries --json. */
export function humanStream(json: boolean | undefined): NodeJS.WriteStream {
  return json ? process.stderr : process.stdout;
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
