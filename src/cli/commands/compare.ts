// `nnlab compare <run|study>...`: the statistics of chosen runs side by side. A bare number is a run id;
// `study:N` (or `s:N`) takes every run of study N.
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors.js';
import { summarizeStudy, summaryOptionsOf } from '../../stats/index.js';
import type { RunRecord, RunStore } from '../../store/index.js';
import type { EpochLog } from '../../record/history.js';
import { terminalSummary } from '../../report/terminal.js';
import { humanStream, printJson, requireRun, requireStudy, say, storeFrom } from '../context.js';

/** The runs that `refs` name (run ids, or study:N), each once, in order; an unknown one is a usage error. */
export async function runsOf(store: RunStore, refs: string[]): Promise<RunRecord[]> {
  const out = new Map<number, RunRecord>();
  for (const ref of refs) {
    const m = /^(?:study|s):(.+)$/.exec(ref);
    if (m) {
      const study = await requireStudy(store, m[1]);
      for (const r of await store.listRuns({ studyId: study.id })) out.set(r.id, r);
    } else {
      const run = await requireRun(store, ref);
      out.set(run.id, run);
    }
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

export async function epochsFor(store: RunStore, runs: RunRecord[]): Promise<Map<number, EpochLog[]>> {
  return new Map(await Promise.all(runs.map(async (r) => [r.id, await store.getEpochs(r.id)] as const)));
}

export function registerCompare(program: Command): void {
  program
    .command('compare <refs...>')
    .description('compare runs (ids) or whole studies (study:N): mean ± std, 95% CI, Welch t-test against the best')
    .option('--metric <key>', "the metric that picks the best config, e.g. val.accuracy (default, or the study's own) or val.loss")
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (refs: string[], opts: { metric?: string; store?: string; json?: boolean }) => {
      if (opts.metric && !/^(train|val|test)\.\w+$/.test(opts.metric)) throw new ConfigError('--metric', `expected <split>.<metric> such as val.accuracy, got '${opts.metric}'`);
      const store = await storeFrom(opts);
      try {
        const runs = await runsOf(store, refs);
        // One whole study compares as it asked to (its metric, its baselines); --metric overrides.
        const studies = [...new Set(runs.map((r) => r.studyId))];
        const only = studies.length === 1 && studies[0] !== null && refs.every((r) => /^(?:study|s):/.test(r)) ? await store.getStudy(studies[0]) : null;
        const options = { ...summaryOptionsOf(only), ...(opts.metric ? { metric: opts.metric, direction: undefined } : {}) };
        const summary = summarizeStudy(runs, await epochsFor(store, runs), options);
        say(humanStream(opts.json), terminalSummary(summary));
        if (opts.json) printJson(summary);
      } finally {
        await store.close();
      }
    });
}
