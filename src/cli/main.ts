#!/usr/bin/env node
// The nnlab command line. Each command parses its options here and calls the library; user errors are
// printed without a stack trace and exit with 2 (usage, configuration) or 1 (anything else that failed).
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
import { registerUi } from './commands/ui.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { AddonError } from '../engine/native.js';
import { printJson } from './context.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('nnlab')
    .description('A neural-network experiment lab on libtorch: train, compare and report from one experiment file.')
    .version(nnlabVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  registerRun(program);
  registerWorker(program);
  registerResume(program);
  registerRuns(program);
  registerShow(program);
  registerCompare(program);
  registerReport(program);
  registerPredict(program);
  registerExportPredictions(program);
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`nnlab: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof NnlabError || e instanceof AddonError || (e as Error).name === 'TorchError') {
      process.stderr.write(`nnlab: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

// A reader that goes away (`nnlab show 3 | head -1`) ends the output, as it ends any Unix tool: quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`nnlab: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);
