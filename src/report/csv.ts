// CSV exports: runs.csv (one row per run) and summary.csv (one row per config), RFC 4180 quoting, header row
// first, empty cells for missing values. Column names are stable for spreadsheets and pandas.
import type { RunRecord } from '../store/types.js';
import { finalMetric, metricKeys, type StudySummary } from '../stats/index.js';

export type Cell = string | number | boolean | null | undefined;

/** One CSV field: quoted when it holds a comma, quote or line break; non-finite numbers and nulls are empty. */
function field(v: Cell): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows (header first) as CSV text with CRLF line ends, as RFC 4180 says. */
export function toCsv(rows: Cell[][]): string {
  return rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

function factorText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * One row per run: ids, config label, each study factor as a column, seed, status, epoch analysis, every final
 * scalar metric ('val.accuracy', ...), gaps, wall time and training samples/s.
 */
export function runsCsv(runs: readonly RunRecord[], summary: StudySummary): string {
  const factors = [...new Set(runs.flatMap((r) => Object.keys(r.values)))];
  const keys = metricKeys(runs);
  const analysis = new Map(summary.runs.map((a) => [a.runId, a]));
  const header = [
    'run_id', 'study_id', 'config', ...factors, 'repeat', 'seed', 'status', 'epochs', 'best_epoch', 'best_by',
    'epochs_to_95', 'epochs_to_99', ...keys, 'accuracy_gap', 'loss_gap', 'wall_time_s', 'train_samples_per_s',
  ];
  const rows = runs.map((r) => {
    const a = analysis.get(r.id);
    return [
      r.id, r.studyId, r.label, ...factors.map((f) => (f in r.values ? factorText(r.values[f]) : null)), r.repeat, r.seed, r.status,
      a?.epochs, a?.bestEpoch, a?.bestBy, a?.epochsTo95, a?.epochsTo99, ...keys.map((k) => finalMetric(r, k)),
      a?.accuracyGap, a?.lossGap, a?.wallTimeS ?? r.wallTimeS, a?.trainSamplesPerS,
    ];
  });
  return toCsv([header, ...rows]);
}

/**
 * One row per config: label, factors, n and excluded runs, per metric mean/std/ci95_low/ci95_high, wall time,
 * and the comparison against the best config (is_best, diff, t, df, p, significant).
 */
export function summaryCsv(summary: StudySummary): string {
  const factors = [...new Set(summary.configs.flatMap((c) => Object.keys(c.values)))];
  const keys = Object.keys(summary.configs[0]?.metrics ?? {});
  const stats = (k: string) => [`${k}_mean`, `${k}_std`, `${k}_ci95_low`, `${k}_ci95_high`];
  const header = [
    'config', ...factors, 'n', 'excluded', ...keys.flatMap(stats), ...stats('wall_time_s'),
    'compare_metric', 'is_best', 'best_minus_config', 't', 'df', 'p', 'significant',
  ];
  const c = summary.comparison;
  const rows = summary.configs.map((s) => {
    const test = c?.tests.find((t) => t.label === s.label);
    const described = [...keys.map((k) => s.metrics[k]), s.wallTimeS].flatMap((m) => [m.mean, m.std, m.ci95?.[0], m.ci95?.[1]]);
    return [
      s.label, ...factors.map((f) => (f in s.values ? factorText(s.values[f]) : null)), s.runIds.length, s.excluded.length, ...described,
      c?.metric, c ? c.best.label === s.label : null, test?.meanDiff, test?.t, test?.df, test?.p, test?.significant,
    ];
  });
  return toCsv([header, ...rows]);
}
