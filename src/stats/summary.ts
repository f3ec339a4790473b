// Per-config summaries: runs of one study that share a label are repeats of one config (runs outside a study,
// or from several studies, are repeats when their stored configs are the same); each final metric (by split,
// 'val.accuracy') is described by n, mean, sample std and a 95% CI. Runs that did not end normally
// (diverged, failed, interrupted, still running) are left out of the statistics and listed as excluded.
import type { RunRecord, StoredRunStatus } from '../store/types.js';
import { boundsOf, describe, type Description } from './describe.js';

/** A metric's description plus the per-run values behind it (in run order). */
export interface MetricSummary extends Description {
  values: number[];
}

export interface ConfigSummary {
  /**
   * The config's label, unique among the summaries: the study label; '' for the one config of runs outside a
   * study; where runs of several studies or unlabelled runs of different configs meet, the fields that differ
   * ("training.optimizer.lr=0.1"), or "study 2: <label>", or "run 7".
   */
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

function summarize(key: string, values: number[]): MetricSummary {
  return { ...describe(values, boundsOf(key)), values };
}

/** What makes runs repeats of one config: the study and label, and the stored config itself. */
function configKey(run: RunRecord): string {
  return JSON.stringify([run.studyId, run.label, run.config]);
}

/** Leaves of a JSON value by dotted path ('training.optimizer.lr'). */
function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** "path=value, ..." of the config fields in which each group differs from the others, when there are few; else null. */
function differingFields(groups: readonly RunRecord[][]): string[] | null {
  const flat = groups.map((g) => leaves(g[0].config));
  const keys = [...new Set(flat.flatMap((f) => [...f.keys()]))].filter((k) => new Set(flat.map((f) => f.get(k))).size > 1);
  if (keys.length === 0 || keys.length > 3) return null;
  return flat.map((f) => keys.map((k) => `${k}=${f.has(k) ? JSON.parse(f.get(k)!) : '—'}`).join(', '));
}

/** Unique display labels for the groups (see ConfigSummary.label). */
function groupLabels(groups: readonly RunRecord[][]): string[] {
  const labels = groups.map((g) => g[0].label);
  const clash = (i: number) => labels.some((l, j) => j !== i && l === labels[i]);
  const clashing = groups.filter((_, i) => clash(i));
  const differing = clashing.length > 1 ? differingFields(clashing) : null;
  let k = 0;
  const out = groups.map((g, i) => {
    if (!clash(i)) return labels[i];
    const fields = differing?.[k++];
    if (fields) return labels[i] ? `${labels[i]}, ${fields}` : fields;
    const studies = new Set(groups.filter((_, j) => labels[j] === labels[i]).map((h) => h[0].studyId));
    if (studies.size > 1 && g[0].studyId !== null) return `study ${g[0].studyId}${labels[i] ? `: ${labels[i]}` : ''}`;
    return `${labels[i] ? `${labels[i]}, ` : ''}run ${g[0].id}`;
  });
  return out.map((l, i) => (out.indexOf(l) === i ? l : `${l} (run ${groups[i][0].id})`));
}

/** One summary per config, in the order the configs first appear in `runs`. */
export function summarizeConfigs(runs: readonly RunRecord[]): ConfigSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = configKey(run);
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  const counted = runs.filter((r) => COUNTED_STATUSES.includes(r.status));
  const keys = metricKeys(counted);
  const list = [...groups.values()];
  const labels = groupLabels(list);
  return list.map((group, g) => {
    const included = group.filter((r) => COUNTED_STATUSES.includes(r.status));
    const metrics: Record<string, MetricSummary> = {};
    for (const key of keys) {
      const values = included.map((r) => finalMetric(r, key)).filter((v): v is number => v !== undefined);
      metrics[key] = summarize(key, values);
    }
    const times = included.map((r) => r.wallTimeS).filter((t): t is number => t !== null && Number.isFinite(t));
    return {
      label: labels[g],
      values: group[0].values,
      runIds: included.map((r) => r.id),
      excluded: group.filter((r) => !included.includes(r)).map((r) => ({ runId: r.id, status: r.status })),
      metrics,
      wallTimeS: summarize('time', times),
    };
  });
}
