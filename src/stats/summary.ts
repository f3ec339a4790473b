// Per-config summaries: runs of one study that share a label are repeats of one config (runs outside a study,
// or from several studies, are repeats when their stored configs are the same); each final metric (by split,
// 'val.accuracy') is described by n, mean, sample std and a 95% CI. Runs that did not end normally
// (diverged, failed, interrupted, still running) are left out of the statistics and listed as excluded.
import type { RunRecord, StoredRunStatus } from '../record/run.js';
import { boundsOf, describe, type Description } from './describe.js';
import { diffConfigs, differingFields, diffValueText, type FieldChange } from './config-diff.js';

/** A metric's description plus the per-run values behind it (in run order). */
export interface MetricSummary extends Description {
  values: number[];
}

export interface ConfigSummary {
  /**
   * The config's label, unique among the summaries: the study label; '' for the one config of runs outside a
   * study; where runs of several studies or unlabelled runs of different configs meet, the fields that differ
   * ("training.optimizer.lr=0.1, model.layers[1].units=256"; past four fields, "+N more"), else "study 2:
   * <label>", with "(run 7)" added where that is still not unique.
   */
  label: string;
  /**
   * The study factor values of the config, by field path; for runs outside a study, told apart by their stored
   * configs, the fields that differ (up to four).
   */
  values: Record<string, unknown>;
  /**
   * Where configs are told apart by their stored configs (runs outside a study, runs of several studies): how
   * this one differs from the first of them, field by field. Absent otherwise, and on that first config.
   */
  changes?: FieldChange[];
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

/** At most this many differing fields name a config; past it the label says how many more differ. */
const LABEL_FIELDS = 4;

/** A field's value in a label: strings bare, the rest as JSON, 'absent' where the config lacks the field. */
function labelValue(v: unknown): string {
  return typeof v === 'string' ? v : diffValueText(v);
}

interface GroupNames {
  labels: string[];
  /** Per group: the fields that name it (when they all fit in its label), else null. */
  values: (Record<string, unknown> | null)[];
  /** Per group: how its config differs from the first clashing group's (null for the others). */
  changes: (FieldChange[] | null)[];
}

/** Unique display labels for the groups (see ConfigSummary.label), and what tells clashing ones apart. */
function groupNames(groups: readonly RunRecord[][]): GroupNames {
  const labels = groups.map((g) => g[0].label);
  const clash = (i: number) => labels.some((l, j) => j !== i && l === labels[i]);
  const clashing = groups.flatMap((_, i) => (clash(i) ? [i] : []));
  const rows = clashing.length > 1 ? differingFields(clashing.map((i) => groups[i][0].config)) : [];
  const values: GroupNames['values'] = groups.map(() => null);
  const changes: GroupNames['changes'] = groups.map(() => null);
  const out = groups.map((g, i) => {
    const k = clashing.indexOf(i);
    if (k < 0) return labels[i];
    if (k > 0) changes[i] = diffConfigs(groups[clashing[0]][0].config, g[0].config);
    if (rows.length) {
      const shown = rows.slice(0, LABEL_FIELDS);
      if (rows.length <= LABEL_FIELDS) values[i] = Object.fromEntries(shown.filter((r) => r.values[k] !== undefined).map((r) => [r.path, r.values[k]]));
      const more = rows.length > LABEL_FIELDS ? `, +${rows.length - LABEL_FIELDS} more` : '';
      const fields = `${shown.map((r) => `${r.path}=${labelValue(r.values[k])}`).join(', ')}${more}`;
      return labels[i] ? `${labels[i]}, ${fields}` : fields;
    }
    const studies = new Set(groups.filter((_, j) => labels[j] === labels[i]).map((h) => h[0].studyId));
    if (studies.size > 1 && g[0].studyId !== null) return `study ${g[0].studyId}${labels[i] ? `: ${labels[i]}` : ''}`;
    return `${labels[i] ? `${labels[i]}, ` : ''}run ${g[0].id}`;
  });
  return { labels: out.map((l, i) => (out.indexOf(l) === i ? l : `${l} (run ${groups[i][0].id})`)), values, changes };
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
  const names = groupNames(list);
  return list.map((group, g) => {
    const included = group.filter((r) => COUNTED_STATUSES.includes(r.status));
    const metrics: Record<string, MetricSummary> = {};
    for (const key of keys) {
      const values = included.map((r) => finalMetric(r, key)).filter((v): v is number => v !== undefined);
      metrics[key] = summarize(key, values);
    }
    const times = included.map((r) => r.wallTimeS).filter((t): t is number => t !== null && Number.isFinite(t));
    const own = group[0].values;
    const told = names.values[g];
    return {
      label: names.labels[g],
      values: Object.keys(own).length === 0 && told ? told : own,
      ...(names.changes[g] ? { changes: names.changes[g]! } : {}),
      runIds: included.map((r) => r.id),
      excluded: group.filter((r) => !included.includes(r)).map((r) => ({ runId: r.id, status: r.status })),
      metrics,
      wallTimeS: summarize('time', times),
    };
  });
}
