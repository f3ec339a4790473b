// The search loop, as Optuna's study.optimize: until the budget of trials is spent (or the time is up, or the
// sampler has nothing left), read the study's trials from the store, ask the sampler for the next trial's
// parameters, and have the caller train it, asking the pruner after each epoch whether to stop. The caller (the
// lab) owns training and storing; this loop owns the order and the rules, so a resumed study continues where
// the stored trials say it stopped: trial numbers go on from the highest stored one, and the budget counts every
// stored trial that was not interrupted.
import type { Objective } from './objective.js';
import { countedTrials, trialToRetry, type TrialRecord } from './records.js';
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
  /** Before each claim (e.g. mark the trials of dead workers crashed). */
  beforeClaim?(): Promise<void>;
  /**
   * Once the budget is spent, wait while other workers' trials are running, looking again every this many
   * seconds (a trial that crashes meanwhile is queued again); null: return at once (a worker).
   */
  waitForRunning?: number | null;
  /**
   * Claims trial `number` before its parameters are chosen (its first run, created with that number: the store
   * lets one worker through, so a lost claim costs one insert, not a sampler call): a claim token, or 'taken'
   * when another worker has the number. `retryOf` is the crashed trial it repeats.
   */
  claim(number: number, retryOf: number | null): Promise<unknown | 'taken'>;
  /**
   * Trains the claimed trial with `params`, storing its runs. `prune(intermediate, step)` says whether to stop it
   * after the 0-based epoch `step`.
   */
  run(
    trial: { number: number; params: Params; retryOf: number | null; claim: unknown },
    prune: (intermediate: readonly (number | null)[], step: number) => boolean,
  ): Promise<void>;
  /** Ends the search after the current trial. */
  signal?: AbortSignal;
}

export type StopReason = 'budget' | 'timeout' | 'exhausted' | 'interrupted';

export interface OptimizeResult {
  stop: StopReason;
  /** Trials started by this call. */
  started: number[];
  /** Claims lost to other workers (each followed by a fresh look at the trials). */
  taken: number;
  /** Seconds spent in the sampler's suggest(), per trial started. */
  samplerTimesS: number[];
}

/** Runs trials until the study's budget is spent; see the file comment. */
export async function optimize(o: OptimizeOptions): Promise<OptimizeResult> {
  const started: number[] = [];
  const samplerTimesS: number[] = [];
  let taken = 0;
  let lost = 0;
  const t0 = performance.now();
  for (;;) {
    if (o.signal?.aborted) return { stop: 'interrupted', started, taken, samplerTimesS };
    await o.beforeClaim?.();
    const all = await o.load();
    const counted = countedTrials(all);
    if (counted.length >= o.trials) {
      if (o.waitForRunning && counted.some((t) => t.state === 'running')) {
        await new Promise((r) => setTimeout(r, o.waitForRunning! * 1000));
        continue;
      }
      return { stop: 'budget', started, taken, samplerTimesS };
    }
    if (o.timeoutS !== null && (performance.now() - t0) / 1000 >= o.timeoutS) return { stop: 'timeout', started, taken, samplerTimesS };
    const number = all.reduce((n, t) => Math.max(n, t.number + 1), 0);
    const retry = trialToRetry(all);
    // A grid that has nothing left would be found only after a claim: ask it first (it is cheap).
    if (retry === null && o.sampler.name === 'grid' && o.sampler.suggest(o.space, { number, direction: o.objective.direction, trials: counted }) === null) {
      return { stop: 'exhausted', started, taken, samplerTimesS };
    }
    const claim = await o.claim(number, retry?.number ?? null);
    if (claim === 'taken') {
      // Another worker claimed this number first: wait a little (longer after each loss in a row, with jitter)
      // so that many workers do not keep racing for the same next number, then look again.
      taken++;
      lost++;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(lost, 20)));
      continue;
    }
    lost = 0;
    let params: Params | null;
    if (retry !== null) params = retry.params;
    else {
      const s0 = performance.now();
      params = o.sampler.suggest(o.space, { number, direction: o.objective.direction, trials: counted });
      samplerTimesS.push((performance.now() - s0) / 1000);
    }
    if (params === null) params = {}; // only a grid returns null, and it was asked above
    const ctx = { direction: o.objective.direction, trials: counted, maxEpochs: o.maxEpochs };
    const chosen = params;
    started.push(number);
    await o.run({ number, params, retryOf: retry?.number ?? null, claim }, (intermediate, step) =>
      o.pruner.shouldPrune({ number, state: 'running', params: chosen, value: null, intermediate: [...intermediate] }, step, ctx),
    );
  }
}
