// A search's trials read back from the run store: each trial is one run per execution (`executionsPerTrial`),
// all with the trial's number and its parameters as the run's values, so any process, a report or a dashboard
// rebuilds the same trials from the same rows.
import type { EpochLog } from '../record/history.js';
import type { StoredRunStatus, TrialRun } from '../record/run.js';
import { intermediateValues, reduceCurve, type Objective } from './objective.js';
import type { Params } from './space.js';
import type { Trial, TrialState } from './trial.js';

/**
 * A trial with what its runs say. `interrupted`: stopped from outside before it finished; `crashed`: its process
 * died (its heartbeat stopped). Neither counts towards the budget; a crashed trial is queued again once.
 */
export interface TrialRecord extends Omit<Trial, 'state'> {
  state: TrialState | 'interrupted' | 'crashed';
  /** The trial this one retries (same parameters), or null. */
  retryOf: number | null;
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
    case 'crashed':
      return 'crashed';
    default:
      return 'failed';
  }
}

/** The trial's state from its executions': running, then failed, crashed, interrupted, pruned, else completed. */
function combine(states: TrialRecord['state'][]): TrialRecord['state'] {
  for (const s of ['running', 'failed', 'crashed', 'interrupted', 'pruned'] as const) if (states.includes(s)) return s;
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
export function trialsOf(runs: readonly TrialRun[], epochsByRun: ReadonlyMap<number, readonly EpochLog[]>, objective: Objective): TrialRecord[] {
  const byNumber = new Map<number, TrialRun[]>();
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
        retryOf: group[0].retryOf,
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

/** The trials a sampler or pruner learns from, and the budget counts: every trial but the interrupted and crashed ones. */
export function countedTrials(trials: readonly TrialRecord[]): Trial[] {
  return trials.filter((t): t is TrialRecord & { state: TrialState } => t.state !== 'interrupted' && t.state !== 'crashed');
}

/** The crashed trial to queue again, if any: the oldest crashed trial that is not itself a retry and has none yet. */
export function trialToRetry(trials: readonly TrialRecord[]): TrialRecord | null {
  const retried = new Set(trials.map((t) => t.retryOf).filter((n): n is number => n !== null));
  return trials.find((t) => t.state === 'crashed' && t.retryOf === null && !retried.has(t.number)) ?? null;
}
