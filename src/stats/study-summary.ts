// Everything the statistics say about a set of runs (a study, or runs picked to compare): per-config
// summaries, the best config against the others, and the per-run analyses. Plain JSON data.
import type { RunRecord, StudyRecord } from '../record/run.js';
import type { EpochLog } from '../record/history.js';
import { checkBaselines, type BaselineCheck, type ScoredBaseline } from './baseline-check.js';
import { compareToBest, type Comparison, type ComparisonOptions } from './compare.js';
import { analyzeRun, type RunAnalysis } from './run-analysis.js';
import { summarizeConfigs, type ConfigSummary } from './summary.js';

export interface StudySummary {
  configs: ConfigSummary[];
  /** null when no config has a value of the comparison metric. */
  comparison: Comparison | null;
  runs: RunAnalysis[];
  /**
   * The configs and runs that do not beat the best baseline on the comparison metric (null without baselines;
   * `best` null when the baselines have no value for that metric).
   */
  baseline: BaselineCheck | null;
}

export interface SummaryOptions extends ComparisonOptions {
  /** Baselines scored on the same splits; configs that do not beat the best one are flagged. */
  baselines?: readonly ScoredBaseline[];
}

/** How a stored study asks to be summarised: its metric and direction (study section), and its baselines. */
export function summaryOptionsOf(study: StudyRecord | null): SummaryOptions {
  const section = (study?.experiment as { study?: { metric?: unknown; direction?: unknown } } | null)?.study;
  const options: SummaryOptions = {};
  if (typeof section?.metric === 'string') options.metric = section.metric;
  if (section?.direction === 'max' || section?.direction === 'min') options.direction = section.direction;
  if (Array.isArray(study?.baselines)) options.baselines = study.baselines as ScoredBaseline[];
  return options;
}

/** Epoch logs by run id: a Map or a plain object keyed by id. */
export type EpochsByRun = ReadonlyMap<number, readonly EpochLog[]> | Readonly<Record<number, readonly EpochLog[]>>;

/** The epoch logs of a run ([] when none were given). */
export function epochsOf(epochsByRun: EpochsByRun, runId: number): readonly EpochLog[] {
  const found = epochsByRun instanceof Map ? epochsByRun.get(runId) : (epochsByRun as Record<number, readonly EpochLog[]>)[runId];
  return found ?? [];
}

export function summarizeStudy(runs: readonly RunRecord[], epochsByRun: EpochsByRun, options: SummaryOptions = {}): StudySummary {
  const configs = summarizeConfigs(runs);
  const comparison = compareToBest(configs, options);
  const metric = comparison?.metric ?? options.metric;
  // On the study's own metric: a study ranked by loss is not judged on accuracy (baselines have no loss: then the
  // check says so and flags nothing).
  const baseline =
    options.baselines && options.baselines.length && metric
      ? checkBaselines(options.baselines, configs, runs, metric, comparison?.direction ?? options.direction ?? 'max')
      : null;
  return {
    configs,
    comparison,
    runs: runs.map((r) => analyzeRun(r, epochsOf(epochsByRun, r.id))),
    baseline,
  };
}
