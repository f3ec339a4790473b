// What the dashboard's pages show, read from the store: studies with their runs by status and best value, a
// study's summary (or a search's), the runs list filtered, sorted, grouped and paged, and what differs between
// runs. Plain data; pages.ts turns it into markup and api.ts into JSON.
import { compareToBest, COUNTED_STATUSES, defaultDirection, describe, differingFields, diffValueText, finalMetric, summarizeConfigs, summarizeStudy, summaryOptionsOf, type Description, type StudySummary } from '../stats/index.js';
import { summarizeTune, type TuneSummary } from '../tune/summary.js';
import type { EpochLog } from '../record/history.js';
import type { RunRecord, RunStore, StoredRunStatus, StudyRecord } from '../store/types.js';

/** A study as the studies page lists it. */
export interface StudyRow {
  study: StudyRecord;
  /** 'single' (one run), 'study' or 'tune'. */
  kind: 'single' | 'study' | 'tune';
  runs: number;
  byStatus: Partial<Record<StoredRunStatus, number>>;
  /**
   * The metric the study ranks by, and its best config as the study ranks them: the best mean over a config's
   * counted runs (not the best single run, which a lucky seed can give); null: no value yet.
   */
  metric: string;
  direction: 'max' | 'min';
  best: { label: string; mean: number; n: number } | null;
}

/** The metric and direction a study ranks by: its tune objective, its study section, else val.accuracy. */
export function rankingOf(study: StudyRecord): { metric: string; direction: 'max' | 'min' } {
  const exp = study.experiment as { study?: { metric?: unknown; direction?: unknown }; tune?: { objective?: { metric?: unknown; direction?: unknown } } } | null;
  const section = study.kind === 'tune' ? exp?.tune?.objective : exp?.study;
  const metric = typeof section?.metric === 'string' ? section.metric : 'val.accuracy';
  const direction = section?.direction === 'min' || section?.direction === 'max' ? section.direction : defaultDirection(metric);
  return { metric, direction };
}

/** A final metric of a run by key (`val.accuracy`), or null. */
export function metricOf(run: RunRecord, key: string): number | null {
  return finalMetric(run, key) ?? null;
}

/** Every study, newest first, with its runs counted by status and its best value. */
export async function studyRows(store: RunStore): Promise<StudyRow[]> {
  const [studies, runs] = await Promise.all([store.listStudies(), store.listRuns()]);
  const byStudy = new Map<number, RunRecord[]>();
  for (const r of runs) {
    if (r.studyId === null) continue;
    const own = byStudy.get(r.studyId);
    if (own) own.push(r);
    else byStudy.set(r.studyId, [r]);
  }
  return studies.reverse().map((study) => {
    const own = byStudy.get(study.id) ?? [];
    const byStatus: StudyRow['byStatus'] = {};
    for (const r of own) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const { metric, direction } = rankingOf(study);
    // A study with no value of its metric yet (still running, all failed) has no best: compareToBest refuses a
    // metric no config has.
    const configs = summarizeConfigs(own);
    const best = configs.some((c) => c.metrics[metric]?.mean != null) ? (compareToBest(configs, { metric, direction })?.best ?? null) : null;
    const kind = study.kind === 'tune' ? 'tune' : own.length === 1 ? 'single' : 'study';
    return { study, kind, runs: own.length, byStatus, metric, direction, best };
  });
}

/** Everything a study's page shows. */
export interface StudyView {
  study: StudyRecord;
  runs: RunRecord[];
  epochsByRun: Map<number, EpochLog[]>;
  summary: StudySummary;
  /** For a search (kind 'tune'). */
  tune: TuneSummary | null;
}

export async function studyView(store: RunStore, id: number): Promise<StudyView | null> {
  const study = await store.getStudy(id);
  if (!study || study.id !== id) return null;
  const runs = await store.listRuns({ studyId: id });
  const epochsByRun = new Map([...(await store.getStudyEpochs(id))].map(([k, v]) => [k, [...v]]));
  const summary = summarizeStudy(runs, epochsByRun, summaryOptionsOf(study));
  const tune = study.kind === 'tune' ? summarizeTune(study, runs, epochsByRun) : null;
  return { study, runs, epochsByRun, summary, tune };
}

/** The runs page's request: filters, sort, grouping and page (all optional). */
export interface RunQuery {
  status?: StoredRunStatus;
  study?: number;
  /** Matches the id, label, message and study name, case-insensitively. */
  text?: string;
  sort?: RunSortKey;
  order?: 'asc' | 'desc';
  /** Group the runs by config (study and label). */
  group?: boolean;
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export const RUN_SORT_KEYS = ['id', 'study', 'config', 'status', 'val.accuracy', 'val.loss', 'test.accuracy', 'time', 'started'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** Runs of one config (study and label) when the runs page groups. */
export interface ConfigGroup {
  studyId: number | null;
  label: string;
  runs: RunRecord[];
  byStatus: Partial<Record<StoredRunStatus, number>>;
  /** n, mean and sample std over the counted runs (mean null without values). */
  valAccuracy: Description;
  valLoss: Description;
  meanTimeS: number | null;
}

export interface RunPage {
  /** This page's runs (ungrouped) or groups. */
  runs: RunRecord[];
  groups: ConfigGroup[];
  /** How many runs (or groups) matched, over every page. */
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  studies: Map<number, StudyRecord>;
}

function sortValue(run: RunRecord, key: RunSortKey, studies: Map<number, StudyRecord>): number | string | null {
  switch (key) {
    case 'id':
      return run.id;
    case 'study':
      return run.studyId === null ? null : (studies.get(run.studyId)?.name ?? '');
    case 'config':
      return run.label;
    case 'status':
      return run.status;
    case 'time':
      return run.wallTimeS;
    case 'started':
      return run.startedAt;
    default:
      return metricOf(run, key);
  }
}

/** Compares for sorting; missing values go last whatever the order. */
function compareValues(a: number | string | null, b: number | string | null, order: 'asc' | 'desc'): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return order === 'asc' ? c : -c;
}

/** The runs page: filtered, sorted (newest first by default), grouped by config if asked, one page of it. */
export async function runPage(store: RunStore, q: RunQuery): Promise<RunPage> {
  const [all, studyList] = await Promise.all([store.listRuns({ ...(q.study !== undefined ? { studyId: q.study } : {}), ...(q.status ? { status: q.status } : {}) }), store.listStudies()]);
  const studies = new Map(studyList.map((s) => [s.id, s]));
  const text = q.text?.trim().toLowerCase();
  const matched = text
    ? all.filter((r) =>
        [String(r.id), r.label, r.message ?? '', r.studyId === null ? '' : (studies.get(r.studyId)?.name ?? '')].some((f) => f.toLowerCase().includes(text)),
      )
    : all;
  const sort = q.sort ?? 'id';
  const order = q.order ?? (sort === 'id' || sort === 'started' ? 'desc' : sort === 'val.loss' ? 'asc' : 'desc');
  const sorted = [...matched].sort((a, b) => compareValues(sortValue(a, sort, studies), sortValue(b, sort, studies), order) || b.id - a.id);
  const pageSize = Math.max(1, Math.min(500, q.pageSize ?? 50));
  if (!q.group) {
    const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
    const page = Math.min(Math.max(1, q.page ?? 1), pages);
    return { runs: sorted.slice((page - 1) * pageSize, page * pageSize), groups: [], total: sorted.length, page, pages, pageSize, studies };
  }
  const byKey = new Map<string, ConfigGroup>();
  for (const r of sorted) {
    const key = `${r.studyId}\u0000${r.label}`;
    const g = byKey.get(key) ?? { studyId: r.studyId, label: r.label, runs: [], byStatus: {}, valAccuracy: describe([]), valLoss: describe([]), meanTimeS: null };
    g.runs.push(r);
    g.byStatus[r.status] = (g.byStatus[r.status] ?? 0) + 1;
    byKey.set(key, g);
  }
  const groups = [...byKey.values()];
  for (const g of groups) {
    const counted = g.runs.filter((r) => COUNTED_STATUSES.includes(r.status));
    const values = (of: (r: RunRecord) => number | null | undefined) => counted.map(of).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    g.valAccuracy = describe(values((r) => finalMetric(r, 'val.accuracy')));
    g.valLoss = describe(values((r) => finalMetric(r, 'val.loss')));
    g.meanTimeS = describe(values((r) => r.wallTimeS)).mean;
  }
  const pages = Math.max(1, Math.ceil(groups.length / pageSize));
  const page = Math.min(Math.max(1, q.page ?? 1), pages);
  return { runs: [], groups: groups.slice((page - 1) * pageSize, page * pageSize), total: groups.length, page, pages, pageSize, studies };
}

/**
 * The config fields whose values differ between the runs (a field one run lacks differs), by path, as JSON (null
 * where the run lacks the field). A structural diff against the first run: lists are compared item by item, so a
 * changed layer is `model.layers[1].units`, not the whole list on one line.
 */
export function configDiff(runs: readonly RunRecord[]): { path: string; values: (string | null)[] }[] {
  return differingFields(runs.map((r) => ({ ...(r.config as object), seed: r.seed }))).map((d) => ({
    path: d.path,
    values: d.values.map((v) => (v === undefined ? null : diffValueText(v))),
  }));
}

/**
 * A token that changes when any of the runs gains an epoch, changes status, or a run joins the study: a page
 * polls it and redraws when it changes.
 */
export async function liveToken(store: RunStore, what: { study?: number; runs?: number[] }): Promise<{ token: string; running: boolean }> {
  const runs =
    what.study !== undefined
      ? await store.listRuns({ studyId: what.study })
      : (await Promise.all((what.runs ?? []).map((id) => store.getRun(id)))).filter((r): r is RunRecord => r !== null);
  const epochs = what.study !== undefined ? await store.getStudyEpochs(what.study) : new Map(await Promise.all(runs.map(async (r) => [r.id, await store.getEpochs(r.id)] as const)));
  const token = runs.map((r) => `${r.id}:${r.status}:${epochs.get(r.id)?.length ?? 0}:${r.endedAt ?? ''}`).join(',');
  return { token, running: runs.some((r) => r.status === 'running') };
}
