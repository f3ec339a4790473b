// The search loop, as Optuna's study.optimize: until the budget of trials is spent (or the time is up, or the
// sampler has nothing left), read the study's trials from the store, ask the sampler for the next trial's
// parameters, and have the caller train it, asking the pruner after each epoch whether to stop. The caller (the
// lab) owns training and storing; this loop owns the order and the rules, so a resumed study continues where
// the stored trials say it stopped: trial numbers go on from the highest stored one, and the budget counts every
// stored trial that was not interrupted.
import type { Objective } from './objective.js';
import { countedTrials, type TrialRecord } from './records.js';
import type { Params, Space } from './space.js';
import type { Pruner } from './pruners/pruner.js';
import type { Sampler } from './samplers/sampler.js';

export interface OptimizeOptions {
  space: Space;
  sampler: Sampler;
  pruner: Pruner;
  objective: Objective;
  /** The study's total number of trials (running ones of other processes included). */
  trials: number;
  /** Start no trial after this many seconds (null: no limit). */
  timeoutS: number | null;
  /** The most epochs a trial trains (what the pruner knows of the budget). */
  maxEpochs: number;
  /** The study's trials as stored now. */
  load(): Promise<TrialRecord[]>;
  /**
   * Trains trial `number` and stores its runs. `prune(intermediate, step)` says whether to stop it after the
   * 0-based epoch `step`, given its objective values so far.
   */
  run(trial: { number: number; params: Params }, prune: (intermediate: readonly (number | null)[], step: number) => boolean): Promise<void>;
  /** Ends the search after the current trial. */
  signal?: AbortSignal;
}

export type StopReason = 'budget' | 'timeout' | 'exhausted' | 'interrupted';

export interface OptimizeResult {
  stop: StopReason;
  /** Trials started by this call. */
  started: number[];
  /** Seconds spent in the sampler's suggest(), per trial started. */
  samplerTimesS: number[];
}

/** Runs trials until the study's budget is spent; see the file comment. */
export async function optimize(o: OptimizeOptions): Promise<OptimizeResult> {
  const started: number[] = [];
  const samplerTimesS: number[] = [];
  const t0 = performance.now();
  for (;;) {
    if (o.signal?.aborted) return { stop: 'interrupted', started, samplerTimesS };
    const all = await o.load();
    const counted = countedTrials(all);
    if (counted.length >= o.trials) return { stop: 'budget', started, samplerTimesS };
    if (o.timeoutS !== null && (performance.now() - t0) / 1000 >= o.timeoutS) return { stop: 'timeout', started, samplerTimesS };
    const number = all.reduce((n, t) => Math.max(n, t.number + 1), 0);
    const s0 = performance.now();
    const params = o.sampler.suggest(o.space, { number, direction: o.objective.direction, trials: counted });
    samplerTimesS.push((performance.now() - s0) / 1000);
    if (params === null) return { stop: 'exhausted', started, samplerTimesS };
    started.push(number);
    const ctx = { direction: o.objective.direction, trials: counted, maxEpochs: o.maxEpochs };
    await o.run({ number, params }, (intermediate, step) =>
      o.pruner.shouldPrune({ number, state: 'running', params, value: null, intermediate: [...intermediate] }, step, ctx),
    );
  }
}
