// `nnlab run <file>`: one run or a whole study, stored, summarised, optionally reported.
import type { Command } from 'commander';
import path from 'node:path';
import type { ExperimentOutcome } from '../../lab/runner.js';
import { summarizeStudy, type StudySummary } from '../../stats/index.js';
import { terminalSummary } from '../../report/terminal.js';
import { baselineSentence } from '../../report/table.js';
import { metricTitle } from '../../report/format.js';
import { reportDirOption, writeStudyReport } from './report.js';
import { artifactsDirOf, humanStream, interruptible, printJson, say, setPartialResult, storeFrom, applyDeviceOption } from '../context.js';
import { ConfigError } from '../../engine/errors.js';
import { addHeartbeatOptions, secondsOption, startWorkers } from './worker.js';
import type { EpochLog } from '../../record/history.js';
import { addPluginOption } from '../plugins.js';

interface RunOpts {
  device?: string;
  set: string[];
  store?: string;
  report?: string;
  json?: boolean;
  bar?: boolean;
  fresh?: boolean;
  workers?: string;
  heartbeat?: string;
  grace?: string;
  plugin: string[];
}

export function registerRun(program: Command): void {
  const command = program
    .command('run <file>')
    .description('train what an experiment file describes: one run or a whole study, with repeats, baselines and statistics')
    .option('--set <path=value>', 'override a field of the file, e.g. training.epochs=3 (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--device <device>', 'where to train on this machine: auto, cpu, cuda or cuda:N (default: the file\'s training.device, else auto)')
    .option('--store <url>', 'run store: a SQLite file (default .nnlab/runs.db) or postgres://...')
    .option('--report <dir>', 'also write the report (tables, plots, HTML) into this folder')
    .option('--no-bar', 'plain per-epoch lines even on a terminal')
    .option('--fresh', 'a search (tune:) starts a new study even if the store has this one (which is kept); default: continue it')
    .option('--workers <n>', 'train the trials of a search, or the runs of a study, in this many local worker processes, then report');
  addPluginOption(addHeartbeatOptions(command))
    .option('--json', 'end with one line of JSON: the runs, baselines and summary')
    .action(async (file: string, opts: RunOpts) => {
      await applyDeviceOption(opts.device);
      // Loaded here, not at the top: these load libtorch, which `nnlab doctor` must be able to do without.
      const { loadExperimentWithPlugins } = await import('../../lab/experiment/index.js');
      const { runExperiment, runJson } = await import('../../lab/runner.js');
      const { baselineLine } = await import('../../lab/baselines.js');
      // Everything that can be wrong is checked before training: the file, the report folder, the store.
      const experiment = await loadExperimentWithPlugins(file, { overrides: opts.set, plugins: opts.plugin });
      const reportDir = opts.report ? reportDirOption(opts.report) : null;
      const workers = opts.workers === undefined ? 0 : Number(opts.workers);
      if (opts.workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 256)) throw new ConfigError('--workers', `expected a number of worker processes from 1 to 256, got '${opts.workers}'`);
      const store = await storeFrom(opts);
      const out = humanStream(opts.json);
      const interrupt = interruptible(out);
      let outcome: ExperimentOutcome;
      try {
        if (experiment.tune) {
          const { tuneExperiment, openSearch } = await import('../../lab/tuner.js');
          const { reportSearch } = await import('./search-output.js');
          const heartbeatS = secondsOption(opts.heartbeat, '--heartbeat');
          const graceS = secondsOption(opts.grace, '--grace');
          let fresh = opts.fresh;
          if (workers > 0) {
            // The study is opened (or renewed, with --fresh) once here, so the workers all join it.
            const { study, note } = await openSearch(experiment, { store, fresh });
            if (note) say(out, note);
            fresh = false;
            await runWorkers(workers, file, opts, out, `study ${study.id} (${experiment.name})`);
          }
          const searched = await tuneExperiment(experiment, { store, artifactsDir: await artifactsDirOf(store), stream: out, bar: opts.bar === false ? false : undefined, signal: interrupt.signal, fresh, heartbeatS, graceS });
          const json = await reportSearch(searched, store, out, reportDir);
          if (opts.json) printJson(json);
          process.exitCode = searched.interrupted || searched.best === null ? 1 : 0;
          return;
        }
        if (opts.fresh) out.write('nnlab: --fresh applies to a search (a file with tune:); ignored\n');
        if (workers > 0) {
          // The workers claim the study's runs; this process then takes what is left, waits, tests and reports.
          await runWorkers(workers, file, opts, out, `the study of ${experiment.name}`);
        }
        outcome = await runExperiment(experiment, {
          heartbeatS: secondsOption(opts.heartbeat, '--heartbeat'),
          graceS: secondsOption(opts.grace, '--grace'),
          store,
          artifactsDir: await artifactsDirOf(store),
          stream: out,
          bar: opts.bar === false ? false : undefined,
          signal: interrupt.signal,
        });
        const records = outcome.runs.map((r) => r.record);
        const epochs = new Map<number, EpochLog[]>(outcome.runs.map((r) => [r.record.id, r.epochs]));
        const summary: StudySummary = summarizeStudy(records, epochs, { metric: experiment.study?.metric, direction: experiment.study?.direction, baselines: outcome.baselines });
        if (records.length > 1) say(out, `\n${terminalSummary(summary)}`);
        else if (summary.baseline) say(out, baselineSentence(summary));
        for (const b of outcome.baselines) say(out, baselineLine(b));
        if (outcome.finalTest) {
          const t = outcome.finalTest;
          const scores = t.runs.map((r) => r.metrics.test?.accuracy).filter((v): v is number => typeof v === 'number');
          say(
            out,
            `test set, evaluated once for the config chosen on ${metricTitle(t.metric)} (${t.label || 'the only config'}, ${t.mean.toFixed(4)}): ` +
              `${t.runs.length} run${t.runs.length === 1 ? '' : 's'}${scores.length ? `, test accuracy ${scores.map((v) => v.toFixed(4)).join(', ')}` : ''}`,
          );
        }
        const result = {
          study: outcome.studyId,
          runs: outcome.runs.map(runJson),
          baselines: outcome.baselines,
          summary: summary.configs,
          comparison: summary.comparison,
          baselineCheck: summary.baseline,
          finalTest: outcome.finalTest && { label: outcome.finalTest.label, metric: outcome.finalTest.metric, mean: outcome.finalTest.mean, runs: outcome.finalTest.runs.map((r) => r.id) },
          reportDir: null as string | null,
        };
        // The runs are stored: a report that then fails still ends --json with them, beside the error.
        setPartialResult(result);
        if (reportDir) {
          const study = outcome.studyId === null ? null : await store.getStudy(outcome.studyId);
          result.reportDir = await writeStudyReport(reportDir, { study, runs: records, epochsByRun: epochs, summary, store });
          say(out, `report: ${result.reportDir}`);
        }
        if (opts.json) printJson(result);
        const bad = records.some((r) => r.status === 'failed' || r.status === 'diverged' || r.status === 'interrupted');
        process.exitCode = bad || outcome.interrupted ? 1 : 0;
      } finally {
        interrupt.release();
        await store.close();
      }
    });
}

/**
 * `run --workers N`: starts N `nnlab worker` processes on the file with the same overrides, store and liveness
 * settings, and says how they ended once all have.
 */
async function runWorkers(workers: number, file: string, opts: RunOpts, out: NodeJS.WritableStream, what: string): Promise<void> {
  say(out, `starting ${workers} workers on ${what}`);
  const flags = [...opts.set.flatMap((s) => ['--set', s]), ...opts.plugin.flatMap((p) => ['--plugin', path.resolve(p)]), ...(opts.store ? ['--store', opts.store] : []), ...(opts.heartbeat ? ['--heartbeat', opts.heartbeat] : []), ...(opts.grace ? ['--grace', opts.grace] : [])];
  const codes = await startWorkers(workers, path.resolve(file), flags, out);
  const bad = codes.filter((c) => c !== 0);
  say(out, `${workers - bad.length} of ${workers} workers ended normally${bad.length ? `; ${bad.length} did not (exit ${bad.join(', ')})` : ''}`);
}
