// Everything the statistics say about a set of runs (a study, or runs picked to compare): per-config
// summaries, the best config against the others, and the per-run analyses. Plain JSON data.
import type { RunRecord } from '../../store/types.js';
import type { EpochLog } from '../../train/history.js';
import { compareToBest, type Comparison, type ComparisonOptions } from './compare.js';
import { analyzeRun, type RunAnalysis } from './run-analysis.js';
import { summarizeConfigs, type ConfigSummary } from './summary.js';

export interface StudySummary {
  configs: ConfigSummary[];
  /** null when no config has a value of the comparison metric. */
  comparison: Comparison | null;
  runs: RunAnalysis[];
}

/** Epoch logs by run id: a Map or a plain object keyed by id. */
export type EpochsByRun = ReadonlyMap<number, readonly EpochLog[]> | Readonly<Record<number, readonly EpochLog[]>>;

/** The epoch logs of a run ([] when none were given). */
export function epochsOf(epochsByRun: EpochsByRun, runId: number): readonly EpochLog[] {
  const found = epochsByRun instanceof Map ? epochsByRun.get(runId) : (epochsByRun as Record<number, readonly EpochLog[]>)[runId];
  return found ?? [];
}

export function summarizeStudy(runs: readonly RunRecord[], epochsByRun: EpochsByRun, options: ComparisonOptions = {}): StudySummary {
  const configs = summarizeConfigs(runs);
  return {
    configs,
    comparison: compareToBest(configs, options),
    runs: runs.map((r) => analyzeRun(r, epochsOf(epochsByRun, r.id))),
  };
}
