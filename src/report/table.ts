// The report's tables as plain data (headers, rows of text, alignment), built once from a study summary and
// rendered by terminal.ts, markdown.ts and html.ts. Each builder says what one table shows.
import { COUNTED_STATUSES as COUNTED, type StudySummary } from '../stats/index.js';
import { changeText } from '../stats/config-diff.js';
import { ci, configNames, meanStd, metricTitle, num, NONE, pValue, visible } from './format.js';

export interface Table {
  headers: string[];
  rows: string[][];
  /** Per column; numbers are right-aligned. */
  align: ('left' | 'right')[];
}

/** Rows of the seeds' table: accuracy then loss for each split, then other metrics, in this order. */
function seedsRowKeys(keys: string[]): string[] {
  const order = (k: string) => {
    const name = k.slice(k.indexOf('.') + 1);
    const split = ['train', 'val', 'test'].indexOf(k.slice(0, k.indexOf('.')));
    return (name === 'accuracy' ? 0 : name === 'loss' ? 10 : 20) + split;
  };
  return [...keys].sort((a, b) => order(a) - order(b));
}

/**
 * The seeds' shape: one column per config; rows train/val accuracy, train/val loss (and test, and other
 * metrics when present) as mean ± std over the repeats, the run time, and the number of runs.
 */
export function configColumnsTable(summary: StudySummary): Table {
  const names = configNames(summary.configs);
  const keys = seedsRowKeys(Object.keys(summary.configs[0]?.metrics ?? {}));
  const rows = keys.map((k) => [metricTitle(k), ...summary.configs.map((c) => meanStd(c.metrics[k]))]);
  const metric = summary.comparison?.metric;
  if (metric && summary.configs.some((c) => c.metrics[metric]?.ci95)) rows.push([`${metricTitle(metric)} 95% CI`, ...summary.configs.map((c) => ci(c.metrics[metric]))]);
  if (summary.baseline?.best) rows.push(['Beats best baseline', ...summary.configs.map((c) => beatsBaseline(summary, c.label))]);
  rows.push(['Time (s)', ...summary.configs.map((c) => meanStd(c.wallTimeS, 1))]);
  rows.push([
    'Runs',
    ...summary.configs.map((c) => `${c.runIds.length}${c.excluded.length ? ` (+${c.excluded.length} ${[...new Set(c.excluded.map((e) => e.status))].join('/')})` : ''}`),
  ]);
  return { headers: ['', ...names], rows, align: ['left', ...names.map(() => 'right' as const)] };
}

/**
 * One row per config for the terminal: n, the comparison metric (mean ± std and its 95% CI), validation loss,
 * time, and the p-value against the best config ("best" on the best one's row).
 */
export function configRowsTable(summary: StudySummary): Table {
  const names = configNames(summary.configs);
  const metric = summary.comparison?.metric ?? Object.keys(summary.configs[0]?.metrics ?? {})[0];
  const second = metric === 'val.loss' ? 'train.loss' : 'val.loss';
  const headers = ['Config', 'n'];
  if (metric) headers.push(metricTitle(metric), '95% CI');
  if (metric && summary.configs[0]?.metrics[second]) headers.push(metricTitle(second));
  if (summary.baseline?.best) headers.push('> baseline');
  headers.push('Time (s)', 'p vs best');
  const rows = summary.configs.map((c, i) => {
    const row = [names[i], String(c.runIds.length)];
    if (metric) row.push(meanStd(c.metrics[metric]), ci(c.metrics[metric]));
    if (metric && summary.configs[0]?.metrics[second]) row.push(meanStd(c.metrics[second]));
    if (summary.baseline?.best) row.push(beatsBaseline(summary, c.label));
    const test = summary.comparison?.tests.find((t) => t.label === c.label);
    const p = summary.comparison?.best.label === c.label ? 'best' : test ? (test.p === null ? 'no test' : `${pValue(test.p)}${test.significant ? ' *' : ''}`) : NONE;
    row.push(meanStd(c.wallTimeS, 1), p);
    return row;
  });
  return { headers, rows, align: headers.map((_, i) => (i === 0 ? 'left' : 'right')) };
}

/** The display name of each config, by its label. */
function nameOfLabel(summary: StudySummary): Map<string, string> {
  const names = configNames(summary.configs);
  return new Map(summary.configs.map((c, i) => [c.label, names[i]]));
}

/** 'yes' / 'NO' for a config against the best baseline, NONE without a value. */
function beatsBaseline(summary: StudySummary, label: string): string {
  const b = summary.baseline;
  const c = summary.configs.find((x) => x.label === label);
  if (!b || !c || c.metrics[b.metric]?.mean == null) return NONE;
  return b.configs.includes(label) ? 'NO' : 'yes';
}

/**
 * What the baselines say: the best one on the comparison metric, and the configs that do not beat it (they
 * learned nothing a constant or random guess does not know). Empty without baselines.
 */
export function baselineSentence(summary: StudySummary): string {
  const b = summary.baseline;
  if (!b) return '';
  if (!b.best) {
    const why = /loss$/i.test(b.metric) ? 'a baseline predicts classes, without probabilities, so it has no loss' : 'the baselines were not scored on it';
    return `No baseline has a ${metricTitle(b.metric)} value (${why}): the configs are not checked against the baselines on ${metricTitle(b.metric)}, the metric the study ranks by.`;
  }
  const best = `the best baseline on ${metricTitle(b.metric)} is ${b.best.name} (${num(b.best.value)})`;
  if (b.configs.length === 0) return `Every config beats ${best.replace(' is ', ', ')}.`;
  const names = nameOfLabel(summary);
  const flagged = b.configs.map((l) => names.get(l) ?? l);
  const runs = b.runs.length ? ` (run${b.runs.length > 1 ? 's' : ''} ${b.runs.join(', ')})` : '';
  const which = summary.configs.length === 1 ? `the model does not beat it${runs}` : `not better than it: ${flagged.join('; ')}${runs}`;
  return `${best[0].toUpperCase()}${best.slice(1)}; ${which}. A model that does no better than a baseline has learned nothing it does not know.`;
}

/** The best config against each other one: difference, Welch's t, df, p and whether it is significant. */
export function comparisonTable(summary: StudySummary): Table {
  const c = summary.comparison;
  const headers = ['Config', 'n', 'Mean', 'Best − config', 't', 'df', 'p', 'Significant'];
  if (!c) return { headers, rows: [], align: headers.map(() => 'left') };
  const names = nameOfLabel(summary);
  const rows = c.tests.map((t) => [
    names.get(t.label) ?? t.label,
    String(t.n),
    num(t.mean),
    num(t.meanDiff),
    num(t.t, 3),
    num(t.df, 2),
    pValue(t.p),
    t.significant === null ? `no test (n < 2)` : t.significant ? `yes (p < ${c.alpha})` : 'no',
  ]);
  return { headers, rows, align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] };
}

/** One sentence saying which config is best and how the others were tested. */
export function comparisonSentence(summary: StudySummary): string {
  const c = summary.comparison;
  if (!c) return 'No config has a value to compare.';
  const name = configNames(summary.configs)[summary.configs.findIndex((s) => s.label === c.best.label)];
  const how = c.direction === 'max' ? 'highest' : 'lowest';
  if (c.tests.length === 0) return `Only one config: ${name} (${metricTitle(c.metric)} ${num(c.best.mean)}, n = ${c.best.n}).`;
  const untested = c.tests.filter((t) => t.p === null).length;
  return (
    `Best: ${name}, ${how} mean ${metricTitle(c.metric)} (${num(c.best.mean)}, n = ${c.best.n}). ` +
    `${c.test} of the best against each other config at α = ${c.alpha}` +
    (untested ? `; ${untested} comparison${untested > 1 ? 's' : ''} not tested: a test needs at least 2 runs per config.` : '.')
  );
}

/**
 * Where configs are told apart by their stored configs (runs outside a study, or of several studies): a heading
 * and, per config, its name and how it differs from the first, one field a line (`model.layers[1].units: 128 ->
 * 256`). Null when the configs are a study's own.
 */
export function configDifferences(summary: StudySummary): { heading: string; configs: { name: string; changes: string[] }[] } | null {
  const names = configNames(summary.configs);
  const first = summary.configs.findIndex((c) => c.changes === undefined && summary.configs.some((d) => d.changes));
  const configs = summary.configs.flatMap((c, i) => (c.changes ? [{ name: names[i], changes: c.changes.map((x) => visible(changeText(x))) }] : []));
  if (configs.length === 0 || first < 0) return null;
  return { heading: `How each config differs from ${names[first]} (run ${summary.configs[first].runIds[0] ?? summary.configs[first].excluded[0]?.runId}):`, configs };
}

/** The display name of each run's config, by run id. */
export function configOfRun(summary: StudySummary): Map<number, string> {
  const names = configNames(summary.configs);
  return new Map(summary.configs.flatMap((c, i) => [...c.runIds, ...c.excluded.map((e) => e.runId)].map((id) => [id, names[i]] as const)));
}

/** One row per run: how it ended, its best epoch, speed of convergence, over-fitting gaps and time. */
export function runsTable(summary: StudySummary): Table {
  const names = configOfRun(summary);
  const headers = ['Run', 'Config', 'Seed', 'Status', 'Epochs', 'Best epoch', 'To 95%', 'To 99%', 'Val accuracy', 'Acc gap', 'Loss gap', 'Time (s)'];
  const flag = summary.baseline?.best ? summary.baseline : null;
  if (flag) headers.push('> baseline');
  const rows = summary.runs.map((r) => [
    String(r.runId),
    names.get(r.runId) ?? (r.label || 'run'),
    String(r.seed),
    r.status,
    String(r.epochs),
    r.bestEpoch === null ? NONE : String(r.bestEpoch),
    r.epochsTo95 === null ? NONE : String(r.epochsTo95),
    r.epochsTo99 === null ? NONE : String(r.epochsTo99),
    num(r.final.valAccuracy),
    num(r.accuracyGap),
    num(r.lossGap),
    num(r.wallTimeS, 1),
    ...(flag ? [flag.runs.includes(r.runId) ? 'NO' : COUNTED.includes(r.status) ? 'yes' : NONE] : []),
  ]);
  return { headers, rows, align: headers.map((_, i) => (i === 1 || i === 3 ? 'left' : 'right')) };
}
