// A search's trials read back from the run store: each trial is one run per execution (`executionsPerTrial`),
// all with the trial's number and its parameters as the run's values, so any process, a report or a dashboard
// rebuilds the same trials from the same rows.
import type { EpochLog } from '../record/history.js';
import type { RunRecord, StoredRunStatus } from '../store/types.js';
import { intermediateValues, reduceCurve, type Objective } from './objective.js';
import type { Params } from './space.js';
import type { Trial, TrialState } from './trial.js';

/** A trial with what its runs say. `interrupted`: stopped from outside before it finished (it counts for nothing). */
export interface TrialRecord extends Omit<Trial, 'state'> {
  state: TrialState | 'interrupted';
  /** Its runs, by execution. */
  runIds: number[];
  /** The standard deviation of the executions' values (null for one execution). */
  std: number | null;
  /** The most epochs any execution trained. */
  epochs: number;
  /** The epoch (0-based) the value comes from, for one execution; null otherwise. */
  bestEpoch: number | null;
  /** Why it failed, was pruned or was interrupted (its first run's message). */
  message: string | null;
  /** Wall time of its runs, summed. */
  wallTimeS: number;
}

function stateOf(status: StoredRunStatus): TrialRecord['state'] {
  switch (status) {
    case 'running':
      return 'running';
    case 'completed':
    case 'stopped':
      return 'completed';
    case 'pruned':
      return 'pruned';
    case 'interrupted':
      return 'interrupted';
    default:
      return 'failed';
  }
}

/** The trial's state from its executions': running, then failed, interrupted, pruned, else completed. */
function combine(states: TrialRecord['state'][]): TrialRecord['state'] {
  for (const s of ['running', 'failed', 'interrupted', 'pruned'] as const) if (states.includes(s)) return s;
  return 'completed';
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * The trials of a search's runs (those with a trial number), by number. A completed trial's value is the mean
 * of its executions' values under the objective (best or last epoch); a pruned trial's is the same over the
 * epochs it trained; failed, interrupted and running trials have none.
 */
export function trialsOf(runs: readonly RunRecord[], epochsByRun: ReadonlyMap<number, readonly EpochLog[]>, objective: Objective): TrialRecord[] {
  const byNumber = new Map<number, RunRecord[]>();
  for (const r of runs) {
    if (r.trial === null) continue;
    byNumber.set(r.trial, [...(byNumber.get(r.trial) ?? []), r]);
  }
  return [...byNumber.entries()]
    .sort(([a], [b]) => a - b)
    .map(([number, group]) => {
      group.sort((a, b) => a.repeat - b.repeat || a.id - b.id);
      const curves = group.map((r) => intermediateValues(epochsByRun.get(r.id) ?? [], objective.metric));
      const reduced = curves.map((c) => reduceCurve(c, objective));
      const state = combine(group.map((r) => stateOf(r.status)));
      const values = reduced.map((x) => x.value).filter((v): v is number => v !== null);
      const scored = (state === 'completed' || state === 'pruned') && values.length === group.length;
      const value = scored ? mean(values) : null;
      const std = scored && values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - value!) ** 2, 0) / (values.length - 1)) : null;
      const length = Math.max(0, ...curves.map((c) => c.length));
      const intermediate = Array.from({ length }, (_, e) => {
        const at = curves.map((c) => c[e]).filter((v): v is number => v !== null && v !== undefined);
        return at.length === 0 ? null : mean(at);
      });
      return {
        number,
        state,
        params: structuredClone(group[0].values) as Params,
        value,
        intermediate,
        runIds: group.map((r) => r.id),
        std,
        epochs: length,
        bestEpoch: group.length === 1 ? reduced[0].epoch : null,
        message: group.find((r) => r.message)?.message ?? null,
        wallTimeS: group.reduce((a, r) => a + (r.wallTimeS ?? 0), 0),
      };
    });
}

/** The trials a sampler or pruner learns from: every trial but the interrupted ones. */
export function countedTrials(trials: readonly TrialRecord[]): Trial[] {
  return trials.filter((t): t is TrialRecord & { state: TrialState } => t.state !== 'interrupted');
}
