// A search's tables and sentences as plain data, built from its TuneSummary (src/tune/summary.ts) and rendered
// by the terminal, Markdown, HTML and CSV writers: the trials (best first), the best trial's validation and test
// scores side by side (as KerasTuner's results_summary and the seed's final evaluation show them), and
// parameter importance.
import type { TuneSummary } from '../tune/summary.js';
import type { TrialRecord } from '../tune/records.js';
import { paramText } from '../tune/space.js';
import { metricTitle, num } from './format.js';
import type { Table } from './table.js';
import { toCsv, type Cell } from './csv.js';

/** Best first (completed, then pruned by value), then the others by number. */
export function rankedTrials(summary: TuneSummary): TrialRecord[] {
  const sign = summary.objective.direction === 'max' ? -1 : 1;
  const rank = (t: TrialRecord) => (t.state === 'completed' ? 0 : t.state === 'pruned' ? 1 : 2);
  return [...summary.trials].sort((a, b) => rank(a) - rank(b) || (a.value !== null && b.value !== null ? sign * (a.value - b.value) : 0) || a.number - b.number);
}

/** The trials table: number, state, value (± std over executions), epochs, then one column per parameter. */
export function trialsTable(summary: TuneSummary, limit = Infinity): Table {
  const params = summary.space.params.map((p) => p.name);
  const rows = rankedTrials(summary)
    .slice(0, limit)
    .map((t) => [
      String(t.number),
      t.state,
      t.value === null ? '—' : `${num(t.value)}${t.std !== null ? ` ± ${num(t.std)}` : ''}`,
      String(t.epochs),
      ...params.map((p) => (Object.hasOwn(t.params, p) ? paramText(t.params[p]) : '—')),
    ]);
  const headers = ['Trial', 'State', metricTitle(summary.objective.metric), 'Epochs', ...params];
  return { headers, rows, align: ['right', 'left', 'right', 'right', ...params.map(() => 'left' as const)] };
}

/** What was searched and how: "tpe sampler (seed 0, 10 start-up trials), no pruner, 10 of 10 trials: 9 completed, 1 pruned". */
export function searchSentence(summary: TuneSummary): string {
  const settings = (c: Record<string, unknown>) => {
    const rest = Object.entries(c).filter(([k]) => k !== 'name');
    return rest.length ? ` (${rest.map(([k, v]) => `${k} ${v === null ? 'auto' : paramText(v)}`).join(', ')})` : '';
  };
  const c = summary.counts;
  const states = (['completed', 'pruned', 'failed', 'running', 'crashed', 'interrupted'] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  const done = c.completed + c.pruned + c.failed + c.running;
  const o = summary.objective;
  return (
    `Objective: ${metricTitle(o.metric)} (${o.direction === 'max' ? 'higher' : 'lower'} is better; a trial's value is its ${o.reduce === 'best' ? 'best epoch' : 'last epoch'}). ` +
    `Sampler ${String(summary.sampler.name)}${settings(summary.sampler)}; pruner ${String(summary.pruner.name)}${settings(summary.pruner)}. ` +
    `${done} of ${summary.budget} trials${states.length ? `: ${states.join(', ')}` : ''}.`
  );
}

/** The best trial: its number, parameters and value, and its test score beside it when it was evaluated. */
export function bestSentence(summary: TuneSummary): string {
  const b = summary.best;
  if (b === null) return 'No trial completed, so there is no best trial.';
  const params = Object.entries(b.params).map(([k, v]) => `${k} = ${paramText(v)}`).join(', ');
  const testMetric = summary.objective.metric.replace(/^(val|train)\./, '');
  const t = summary.test;
  const test = t
    ? ` On the test set, evaluated once: ${Object.entries(t)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k} ${num(v as number)}`)
        .join(', ')}${typeof t[testMetric] === 'number' ? ` (validation ${num(b.value)}, test ${num(t[testMetric] as number)})` : ''}.`
    : summary.tested && summary.tested.trial !== b.number
      ? ` It was not evaluated on the test set: the study looked at the test set for trial ${summary.tested.trial} before the search went on and found it; \`nnlab test <study> --trial ${b.number}\` evaluates it, as a further look that the study counts.`
      : ' It was not evaluated on the test set.';
  return `Best trial: ${b.number} (${params || 'no parameters'}), ${metricTitle(summary.objective.metric)} ${num(b.value)}${b.bestEpoch !== null ? ` at epoch ${b.bestEpoch + 1}` : ''}.${test}${looksSentence(summary.looks)}`;
}

/** How many times the study looked at its test set, and at what: '' for at most one look at the best. */
function looksSentence(looks: TuneSummary['looks']): string {
  if (looks.length <= 1) return '';
  return ` The test set was looked at ${looks.length} times (${looks.map((l) => `${l.target}${l.how === 'explicit' ? ' by nnlab test' : ''}`).join(', ')}): scores after the first are no longer an unbiased estimate.`;
}

/** The best trial's validation and test scores side by side, per metric the test evaluation has. */
export function bestScoresTable(summary: TuneSummary): Table | null {
  const b = summary.best;
  if (b === null || summary.test === null) return null;
  const split = summary.objective.metric.split('.')[0];
  const rows = Object.entries(summary.test)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [k, k === summary.objective.metric.split('.')[1] ? num(b.value) : '—', num(v as number)]);
  return { headers: ['Metric', `${split === 'val' ? 'Validation' : 'Training'} (best trial)`, 'Test (once)'], rows, align: ['left', 'right', 'right'] };
}

/** Parameter importance, most important first; says how it was computed. */
export function importanceTable(summary: TuneSummary): Table | null {
  const imp = summary.importance;
  if (imp === null) return null;
  return {
    headers: ['Parameter', 'Importance'],
    rows: imp.params.map((p) => [p.name, p.importance === null ? 'not evaluated' : num(p.importance, 3)]),
    align: ['left', 'right'],
  };
}

/** How importance is computed, said wherever it is shown. */
export const IMPORTANCE =
  "Importance: fANOVA (Hutter et al. 2014) over a random forest fitted to the completed trials: each parameter's share of the objective's variance explained by it alone; parameters not active in every completed trial are not evaluated.";

/** trials.csv: one row per trial with every parameter and the value. */
export function trialsCsv(summary: TuneSummary): string {
  const params = summary.space.params.map((p) => p.name);
  const rows: Cell[][] = [['trial', 'state', summary.objective.metric, 'std', 'epochs', 'best_epoch', 'wall_time_s', ...params, 'run_ids', 'message']];
  for (const t of summary.trials) {
    rows.push([
      t.number,
      t.state,
      t.value,
      t.std,
      t.epochs,
      t.bestEpoch === null ? null : t.bestEpoch + 1,
      Number(t.wallTimeS.toFixed(3)),
      ...params.map((p) => (Object.hasOwn(t.params, p) ? (typeof t.params[p] === 'number' || typeof t.params[p] === 'string' ? (t.params[p] as number | string) : JSON.stringify(t.params[p])) : null)),
      t.runIds.join(' '),
      t.message,
    ]);
  }
  return toCsv(rows);
}
