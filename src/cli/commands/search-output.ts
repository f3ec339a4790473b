// What `nnlab run` prints for a search (a file with `tune:`): the top trials with their parameters and value,
// the best trial beside its test score, importance, the report if asked, and the JSON line of the contract:
// `tune: { sampler, pruner, trials: [{ number, state, params, value, epochs }], best: { number, params, value },
// test: { accuracy, loss, ... } | null }`.
import type { TuneOutcome } from '../../lab/tuner.js';
import type { RunStore, StudyRecord } from '../../store/index.js';
import { summarizeStudy } from '../../stats/index.js';
import { summarizeTune, type TuneSummary } from '../../tune/summary.js';
import { renderTerminal } from '../../report/terminal.js';
import { bestSentence, IMPORTANCE, importanceTable, searchSentence, trialsTable } from '../../report/tune-table.js';
import { baselineLine } from '../../lab/baselines.js';
import { epochsFor } from './compare.js';
import { writeStudyReport } from './report.js';
import { say, setPartialResult } from '../context.js';

/** The terminal summary of a search: the top `top` trials. */
export function searchText(tune: TuneSummary, top = 10): string {
  const shown = Math.min(top, tune.trials.length);
  const lines = [searchSentence(tune), '', `Top ${shown} of ${tune.trials.length} trials:`, renderTerminal(trialsTable(tune, top)), '', bestSentence(tune)];
  const imp = importanceTable(tune);
  if (imp) lines.push('', renderTerminal(imp), IMPORTANCE);
  return lines.join('\n');
}

/** The `tune` object of the JSON line. */
export function searchJson(tune: TuneSummary, outcome: TuneOutcome) {
  return {
    sampler: tune.sampler,
    pruner: tune.pruner,
    objective: tune.objective,
    budget: tune.budget,
    stop: outcome.stop,
    resumed: outcome.resumed,
    ran: outcome.ran,
    trials: tune.trials.map((t) => ({ number: t.number, state: t.state, params: t.params, value: t.value, std: t.std, epochs: t.epochs, runs: t.runIds, message: t.message })),
    best: tune.best && { number: tune.best.number, params: tune.best.params, value: tune.best.value, runs: tune.best.runIds },
    test: tune.test,
    /** The trial the study looked at the test set for first, and every look (more than one only by nnlab test). */
    tested: tune.tested,
    testLooks: tune.looks,
    importance: tune.importance,
    samplerTimeS: outcome.samplerTimesS.reduce((a, b) => a + b, 0),
  };
}

/** Prints a search's results (and writes its report when `reportDir` is given); returns the JSON object. */
export async function reportSearch(outcome: TuneOutcome, store: RunStore, out: NodeJS.WritableStream, reportDir: string | null): Promise<Record<string, unknown>> {
  const study = (await store.getStudy(outcome.studyId)) as StudyRecord;
  const runs = await store.listRuns({ studyId: study.id });
  const epochsByRun = await epochsFor(store, runs);
  const tune = summarizeTune(study, runs, epochsByRun);
  say(out, `\n${searchText(tune)}`);
  for (const b of outcome.baselines) say(out, baselineLine(b));
  const result = {
    study: study.id,
    runs: runs.map((r) => ({ id: r.id, trial: r.trial, status: r.status, seed: r.seed, repeat: r.repeat, values: r.values, metrics: r.metrics, message: r.message })),
    baselines: outcome.baselines,
    tune: searchJson(tune, outcome),
    reportDir: null as string | null,
  };
  // The trials are stored: a report that then fails still ends --json with them, beside the error.
  setPartialResult(result);
  if (reportDir) {
    const summary = summarizeStudy(runs, epochsByRun, {});
    result.reportDir = await writeStudyReport(reportDir, { study, runs, epochsByRun, summary, store });
    say(out, `report: ${result.reportDir}`);
  }
  return result;
}
