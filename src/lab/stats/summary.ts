// Per-config summaries: runs that share a label are repeats of one config; each final metric (by split,
// 'val.accuracy') is described by n, mean, sample std and a 95% CI. Runs that did not end normally
// (diverged, failed, interrupted, still running) are left out of the statistics and listed as excluded.
import type { RunRecord, StoredRunStatus } from '../../store/types.js';
import { describe, type Description } from './describe.js';

/** A metric's description plus the per-run values behind it (in run order). */
export interface MetricSummary extends Description {
  values: number[];
}

export interface ConfigSummary {
  /** The config label ('' for a single run outside a study). */
  label: string;
  /** The study factor values of the config, by field path. */
  values: Record<string, unknown>;
  /** Runs in the statistics (ended 'completed' or 'stopped'). */
  runIds: number[];
  /** Runs left out, with how they ended. */
  excluded: { runId: number; status: StoredRunStatus }[];
  /** By metric key '<split>.<name>' (e.g. 'val.accuracy'); scalar metrics only. */
  metrics: Record<string, MetricSummary>;
  /** Wall time per run, seconds. */
  wallTimeS: MetricSummary;
}

const SPLITS = ['train', 'val', 'test'] as const;
/** Statuses whose final metrics count: all epochs ran, or a callback stopped the run early on purpose. */
export const COUNTED_STATUSES: readonly StoredRunStatus[] = ['completed', 'stopped'];

/** The final scalar metric of a run by key '<split>.<name>', or undefined when absent or not a finite number. */
export function finalMetric(run: RunRecord, key: string): number | undefined {
  const dot = key.indexOf('.');
  const split = key.slice(0, dot) as (typeof SPLITS)[number];
  const v = run.metrics[split]?.[key.slice(dot + 1)];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Sorts loss first, accuracy second, then the rest by name. */
function metricOrder(a: string, b: string): number {
  const rank = (n: string) => (n === 'loss' ? 0 : n === 'accuracy' ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** The scalar metric keys present in any of the runs: train.* first, then val.*, then test.*. */
export function metricKeys(runs: readonly RunRecord[]): string[] {
  const keys: string[] = [];
  for (const split of SPLITS) {
    const names = new Set<string>();
    for (const run of runs) {
      for (const [name, v] of Object.entries(run.metrics[split] ?? {})) if (typeof v === 'number') names.add(name);
    }
    keys.push(...[...names].sort(metricOrder).map((n) => `${split}.${n}`));
  }
  return keys;
}

function summarize(values: number[]): MetricSummary {
  return { ...describe(values), values };
}

/** One summary per config label, in the order the labels first appear in `runs`. */
export function summarizeConfigs(runs: readonly RunRecord[]): ConfigSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const group = groups.get(run.label);
    if (group) group.push(run);
    else groups.set(run.label, [run]);
  }
  const counted = runs.filter((r) => COUNTED_STATUSES.includes(r.status));
  const keys = metricKeys(counted);
  return [...groups].map(([label, group]) => {
    const included = group.filter((r) => COUNTED_STATUSES.includes(r.status));
    const metrics: Record<string, MetricSummary> = {};
    for (const key of keys) {
      const values = included.map((r) => finalMetric(r, key)).filter((v): v is number => v !== undefined);
      metrics[key] = summarize(values);
    }
    const times = included.map((r) => r.wallTimeS).filter((t): t is number => t !== null && Number.isFinite(t));
    return {
      label,
      values: group[0].values,
      runIds: included.map((r) => r.id),
      excluded: group.filter((r) => !included.includes(r)).map((r) => ({ runId: r.id, status: r.status })),
      metrics,
      wallTimeS: summarize(times),
    };
  });
}
