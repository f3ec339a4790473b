// `nnlab worker <file>`: joins a search (a file with `tune:`) or a study on a shared store and trains trials or
// runs until none is left, from any machine that reaches the store (PostgreSQL for many machines). Trials and a
// study's runs are claimed atomically, so any number of workers run each once; a worker that dies is found by
// its stopped heartbeat and its trial is queued again once (a study's run is taken over by the next process).
// `nnlab run <file> --workers N` starts N of these on this machine and then reports the search or study (and
// evaluates its chosen trial or config on the test set, once).
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../engine/errors.js';
import { artifactsDirOf, humanStream, interruptible, printJson, say, storeFrom, applyDeviceOption } from '../context.js';
import { addPluginOption } from '../plugins.js';

interface WorkerOpts {
  set: string[];
  device?: string;
  store?: string;
  bar?: boolean;
  heartbeat?: string;
  grace?: string;
  json?: boolean;
  plugin: string[];
}

/** A positive number of seconds from a flag, or undefined when not given. */
export function secondsOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(flag, `expected a positive number of seconds, got '${value}'`);
  return n;
}

/** The shared flags of `run` and `worker` for heartbeats. */
export function addHeartbeatOptions(command: Command): Command {
  return command
    .option('--heartbeat <s>', 'seconds between a running trial\'s heartbeats in the store (default NNLAB_HEARTBEAT_S or 5)')
    .option('--grace <s>', 'seconds without a heartbeat before a running trial is marked crashed and queued again (default NNLAB_GRACE_S or 30)');
}

export function registerWorker(program: Command): void {
  addPluginOption(addHeartbeatOptions(
    program
      .command('worker <file>')
      .description('join the search (tune:) or study of an experiment file on a shared store: train its trials or runs until none is left')
      .option('--set <path=value>', 'override a field of the file, as run does (repeatable)', (v: string, all: string[]) => [...all, v], [])
      .option('--device <device>', 'where to train on this machine: auto, cpu, cuda or cuda:N (default: the file\'s training.device, else auto)')
      .option('--store <url>', 'run store: a SQLite file (default .nnlab/runs.db) or postgres://... (for many machines)')
      .option('--no-bar', 'plain per-epoch lines even on a terminal'),
  ))
    .option('--json', 'end with one line of JSON: the trials this worker ran')
    .action(async (file: string, opts: WorkerOpts) => {
      await applyDeviceOption(opts.device);
      const { loadExperimentWithPlugins } = await import('../../lab/experiment/index.js');
      const experiment = await loadExperimentWithPlugins(file, { overrides: opts.set, plugins: opts.plugin });
      const heartbeatS = secondsOption(opts.heartbeat, '--heartbeat');
      const graceS = secondsOption(opts.grace, '--grace');
      const store = await storeFrom(opts);
      const out = humanStream(opts.json);
      const interrupt = interruptible(out, 'nnlab worker: stopping after the current step (again to quit at once)', ['SIGINT', 'SIGTERM']);
      const options = { store, artifactsDir: await artifactsDirOf(store), stream: out, bar: opts.bar === false ? false : undefined, signal: interrupt.signal, worker: true, heartbeatS, graceS };
      try {
        if (!experiment.tune) {
          // A study: claim and train its runs until none is left to claim; `nnlab run` on the file reports it.
          const { runExperiment } = await import('../../lab/runner.js');
          const outcome = await runExperiment(experiment, options);
          const ran = outcome.trained;
          say(out, `worker ${process.pid}: trained ${ran.length} run${ran.length === 1 ? '' : 's'} of study ${outcome.studyId}`);
          if (opts.json) printJson({ study: outcome.studyId, ran });
          process.exitCode = outcome.interrupted ? 1 : 0;
          return;
        }
        const { tuneExperiment } = await import('../../lab/tuner.js');
        const done = await tuneExperiment(experiment, options);
        say(out, `worker ${process.pid}: ran ${done.ran.length} trial${done.ran.length === 1 ? '' : 's'} of study ${done.studyId} (${done.stop}; ${done.taken} claim${done.taken === 1 ? '' : 's'} lost to other workers)`);
        if (opts.json) printJson({ study: done.studyId, ran: done.ran, taken: done.taken, stop: done.stop });
        process.exitCode = done.interrupted ? 1 : 0;
      } finally {
        interrupt.release();
        await store.close();
      }
    });
}

/**
 * Starts `n` worker processes on `file` with the same flags, their output lines prefixed with the worker's
 * number; resolves with their exit codes once all have ended.
 */
export async function startWorkers(n: number, file: string, flags: string[], out: NodeJS.WritableStream): Promise<number[]> {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const children = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, [main, 'worker', file, '--no-bar', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) out.write(`[worker ${i + 1}] ${line}\n`);
      });
      stream.on('end', () => rest && out.write(`[worker ${i + 1}] ${rest}\n`));
    }
    return new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  });
  return Promise.all(children);
}
