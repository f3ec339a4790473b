#!/usr/bin/env node
// The nnlab command line. Each command parses its options here and calls the library; user errors are
// printed without a stack trace and exit with 2 (usage, configuration) or 1 (anything else that failed). With
// --json every call ends with one JSON line on stdout, `{ "error": { code, message, field? } }` when it failed.
import { Command, CommanderError } from 'commander';
import { doctor, formatDoctor } from './doctor.js';
import { nnlabVersion } from '../engine/version.js';
import { registerRun } from './commands/run.js';
import { registerWorker } from './commands/worker.js';
import { registerResume } from './commands/resume.js';
import { registerRuns } from './commands/runs.js';
import { registerShow } from './commands/show.js';
import { registerCompare } from './commands/compare.js';
import { registerReport } from './commands/report.js';
import { registerPredict } from './commands/predict.js';
import { registerExportPredictions } from './commands/export-predictions.js';
import { registerExport } from './commands/export.js';
import { registerUi } from './commands/ui.js';
import { registerTest } from './commands/test.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { AddonError } from '../engine/native.js';
import { partialResult, printJson } from './context.js';
import { terminalText } from '../report/escape.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('nnlab')
    .description('A neural-network experiment lab on libtorch: train, compare and report from one experiment file.')
    .version(nnlabVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(terminalText(s)) });

  registerRun(program);
  registerWorker(program);
  registerResume(program);
  registerRuns(program);
  registerShow(program);
  registerCompare(program);
  registerReport(program);
  registerPredict(program);
  registerExportPredictions(program);
  registerExport(program);
  registerTest(program);
  registerUi(program);

  program
    .command('doctor')
    .description('show the libtorch, BLAS, threads, CUDA and datasets nnlab runs on, and any problem')
    .option('--json', 'end with one line of JSON')
    .action((opts: { json?: boolean }) => {
      const report = doctor();
      process.stdout.write(`${formatDoctor(report)}\n`);
      if (opts.json) printJson(report);
      if (!report.addon.built) process.exitCode = EXIT.failed;
    });

  return program;
}

/** What a failed call reports: the exit code, and the `error` object of its --json line. */
interface Failure {
  exit: number;
  error: { code: 'usage' | 'failed' | 'internal'; message: string; field?: string };
}

/** The failure an error thrown by a command stands for; null for a CommanderError that is not one (help, version). */
function failureOf(e: unknown): Failure | null {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return null;
    return { exit: EXIT.usage, error: { code: 'usage', message: e.message.replace(/^error: /, '') } };
  }
  if (e instanceof ConfigError) {
    return { exit: EXIT.usage, error: { code: 'usage', message: e.message, ...(e.path ? { field: e.path } : {}) } };
  }
  if (e instanceof NnlabError || e instanceof AddonError || (e as Error)?.name === 'TorchError') {
    return { exit: EXIT.failed, error: { code: 'failed', message: (e as Error).message } };
  }
  return { exit: EXIT.failed, error: { code: 'internal', message: String((e as Error)?.message ?? e) } };
}

/** Whether the call asked for --json (also when commander refused it before any command ran). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    const failure = failureOf(e);
    if (!failure) return EXIT.ok;
    // Commander has printed its own message; an internal error is printed with its stack by the caller.
    if (!(e instanceof CommanderError) && failure.error.code !== 'internal') process.stderr.write(`nnlab: ${terminalText(failure.error.message)}\n`);
    if (wantsJson(argv)) printJson({ ...partialResult(), error: failure.error });
    if (failure.error.code === 'internal') throw e;
    return failure.exit;
  }
}

/**
 * A reader that goes away (`nnlab run x | head -1`) or output that cannot be written must not end the work: the
 * stream's further writes do nothing, the command runs to its end and exits as its work deserves. A closed pipe
 * is quiet, as for any Unix tool; any other write error is said once on stderr and makes the exit code non-zero.
 */
let outputFailed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    stream.write = ((...args: unknown[]) => {
      const done = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    }) as typeof stream.write;
    if (e.code === 'EPIPE') return;
    outputFailed = true;
    process.exitCode = Math.max(typeof process.exitCode === 'number' ? process.exitCode : 0, EXIT.failed); // also when main has returned
    if (stream === process.stdout) process.stderr.write(`nnlab: cannot write to stdout (${e.message}); the work goes on, its output is lost\n`);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = outputFailed ? Math.max(code, EXIT.failed) : code;
  },
  (e: unknown) => {
    process.stderr.write(`nnlab: internal error: ${terminalText((e as Error)?.stack ?? String(e))}\n`);
    process.exitCode = EXIT.failed;
  },
);
