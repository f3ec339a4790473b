// `nnlab test <study> --trial N | --config LABEL`: evaluates a chosen trial (a search) or config (a study) on the
// test set, once, as a further look that the study records and its report counts (src/lab/final-test.ts). The
// study's own look, at the trial or config it chose on validation, happens when `nnlab run` finishes it.
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors.js';
import { testLooksLine } from '../../report/format.js';
import { humanStream, printJson, say, storeFrom } from '../context.js';
import { addPluginOption, loadPluginOptions } from '../plugins.js';

interface TestOpts {
  trial?: string;
  config?: string;
  store?: string;
  json?: boolean;
  plugin: string[];
}

export function registerTest(program: Command): void {
  addPluginOption(program.command('test <study>'))
    .description("evaluate a search's trial (--trial N) or a study's config (--config LABEL) on the test set, once; the study counts every look")
    .option('--trial <n>', 'the trial number of a search')
    .option('--config <label>', "the config label of a study (as `nnlab runs` shows it; '' for a single config)")
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON: the look, the runs and their test metrics')
    .action(async (studyRef: string, opts: TestOpts) => {
      if ((opts.trial === undefined) === (opts.config === undefined)) throw new ConfigError('test', 'name what to evaluate: --trial N (a search) or --config LABEL (a study)');
      const trial = opts.trial === undefined ? undefined : Number(opts.trial);
      if (trial !== undefined && !(Number.isSafeInteger(trial) && trial >= 0)) throw new ConfigError('--trial', `expected a trial number (0, 1, ...), got '${opts.trial}'`);
      await loadPluginOptions(opts.plugin);
      const { testExplicitly } = await import('../../lab/final-test.js'); // loads libtorch: only when used
      const store = await storeFrom(opts);
      const out = humanStream(opts.json);
      try {
        const done = await testExplicitly(store, studyRef, { trial, config: opts.config });
        const scores = done.test ? Object.entries(done.test).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${(v as number).toFixed(4)}`).join(', ') : 'none';
        say(out, `test set, ${done.look.target} of study ${done.studyId} (${done.runs.length} run${done.runs.length === 1 ? '' : 's'}): ${scores}`);
        say(out, testLooksLine(done.looks));
        if (opts.json) printJson({ study: done.studyId, look: done.look, looks: done.looks, runs: done.runs.map((r) => ({ id: r.id, metrics: r.metrics })), test: done.test });
      } finally {
        await store.close();
      }
    });
}
