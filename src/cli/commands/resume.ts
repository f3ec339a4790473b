// `nnlab resume <run>`: continues an interrupted or crashed run from its newest epoch checkpoint (see
// src/lab/resume.ts); ends with the same JSON line as `nnlab run --json`.
import type { Command } from 'commander';
import { artifactsDirOf, humanStream, interruptible, parseId, printJson, say, storeFrom } from '../context.js';
import { addHeartbeatOptions, secondsOption } from './worker.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

interface ResumeOpts {
  store?: string;
  bar?: boolean;
  json?: boolean;
  heartbeat?: string;
  grace?: string;
  plugin: string[];
}

export function registerResume(program: Command): void {
  addPluginOption(addHeartbeatOptions(
    program
      .command('resume <run>')
      .description('continue an interrupted or crashed run from its newest epoch checkpoint (on CPU: the same metrics and weights as the uninterrupted run)')
      .option('--store <url>', 'run store (default .nnlab/runs.db)')
      .option('--no-bar', 'plain per-epoch lines even on a terminal'),
  ))
    .option('--json', 'end with one line of JSON, as nnlab run --json')
    .action(async (id: string, opts: ResumeOpts) => {
      const runId = parseId(id, 'run');
      const heartbeatS = secondsOption(opts.heartbeat, '--heartbeat');
      const graceS = secondsOption(opts.grace, '--grace');
      await loadPluginOptions(opts.plugin);
      const { resumeRun } = await import('../../lab/resume.js'); // loads libtorch: only when used
      const { runJson } = await import('../../lab/runner.js');
      const store = await storeFrom(opts);
      const out = humanStream(opts.json);
      const interrupt = interruptible(out);
      try {
        const outcome = await resumeRun(runId, { store, artifactsDir: await artifactsDirOf(store), stream: out, bar: opts.bar === false ? false : undefined, signal: interrupt.signal, heartbeatS, graceS });
        const r = outcome.record;
        say(out, `run ${r.id}: ${r.status}${r.message ? ` (${r.message})` : ''}; ${outcome.epochs.length} epochs`);
        if (opts.json) printJson({ study: r.studyId, runs: [runJson(outcome)], baselines: [], summary: [], comparison: null, baselineCheck: null, finalTest: null, reportDir: null });
        process.exitCode = r.status === 'completed' || r.status === 'stopped' || r.status === 'pruned' ? 0 : 1;
      } finally {
        interrupt.release();
        await store.close();
      }
    });
}
