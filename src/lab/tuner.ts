// Runs an experiment's search (`tune:`): the lab's side of src/tune/driver.ts. Each trial is one run per
// execution, stored as the runs of one study (kind 'tune') with the trial's number and parameters, trained like
// any run (same data, same seeds per execution, same callbacks), plus two callbacks of its own: the pruner's
// check after each epoch, and the best epoch's weights put back at the end (KerasTuner keeps them), so the
// weights saved for a trial are those its value comes from.
//
// Everything that can be wrong is found before the first trial (the configs that reach every corner of the
// space are built and run one batch each, as a study's cells are; the objective must be a number the training
// logs). Running the same file against the same store again continues its study: the trials stored count
// towards the budget, and a finished study runs nothing. After the search, the best trial is evaluated on the
// test set from its saved weights: once per study (final-test.ts). A search extended later whose best trial
// changes reports the new best as such and leaves its test to an explicit `nnlab test <study> --trial N`.
import { createHash } from 'node:crypto';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { metric as makeMetric } from '../nn/metrics.js';
import { makeTrainer } from './make-trainer.js';
import { KeepBestWeights } from '../train/callbacks/keep-best-weights.js';
import type { Callback } from '../train/callbacks/callback.js';
import type { Logs } from '../record/history.js';
import { TrialTakenError, type RunRecord, type RunStore, type StudyRecord, type TestLook } from '../store/types.js';
import { optimize, type StopReason } from '../tune/driver.js';
import { epochValue, type Objective } from '../tune/objective.js';
import { countedTrials, trialsOf, type TrialRecord } from '../tune/records.js';
import { paramText, type Params } from '../tune/space.js';
import { bestTrial } from '../tune/trial.js';
import { samplerFrom } from '../tune/samplers/index.js';
import { prunerFrom } from '../tune/pruners/index.js';
import { disposePrepared, prepareData, dataKey, type PreparedData } from './data-prep.js';
import { scoreBaselines, type BaselineResult } from './baselines.js';
import { checkpointFits, preflight, runOne, say, type RunOptions } from './runner.js';
import { reopenForResume, skippedNote, usableCheckpoint } from './checkpoints.js';
import { evaluateOnTest, meanTest } from './final-test.js';
import { graceSeconds, heartbeatSeconds } from '../store/liveness.js';
import type { Experiment, StudyCell } from './types.js';

export interface TuneOptions extends RunOptions {
  /** Start a new study even if the store has this search's study (the old one is kept). */
  fresh?: boolean;
  /**
   * A worker joins the search and claims trials until its budget is spent, then exits: it refuses a file that
   * differs from the open study of the same name (naming the fields), and leaves the test set to `nnlab run`.
   * Without it (`nnlab run`), the search waits for the trials other workers still run, then tests the best.
   */
  worker?: boolean;

  /** Called after each trial this process ran, with the study's trials then (tests watch memory here). */
  onTrialEnd?: (trial: TrialRecord, trials: readonly TrialRecord[]) => void;
}

export interface TuneOutcome {
  studyId: number;
  /** The study existed (same file, same experiment) and this call continued it. */
  resumed: boolean;
  stop: StopReason;
  /** Every trial of the study, by number. */
  trials: TrialRecord[];
  /** Trial numbers this call ran. */
  ran: number[];
  /** Claims this call lost to other workers (each followed by a fresh look at the trials). */
  taken: number;
  best: TrialRecord | null;
  /** The tested trial's test metrics (the mean over its executions), or null when the test set was not evaluated. */
  test: Logs | null;
  /**
   * The trial the study looked at the test set for (its first look), or null: the best trial, unless an
   * extended search found a better one since (then `nnlab test <study> --trial N` tests that one).
   */
  testedTrial: number | null;
  /** Every look at the study's test set. */
  testLooks: TestLook[];
  baselines: BaselineResult[];
  /** The sampler's and pruner's settings, defaults filled in. */
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  /** Seconds spent in the sampler per trial this call started. */
  samplerTimesS: number[];
  interrupted: boolean;
}

/** Keras's name of an objective metric: val.accuracy -> val_accuracy, train.loss -> loss. */
function kerasName(metric: string): string {
  const [split, key] = metric.split('.', 2);
  return split === 'val' ? `val_${key}` : key;
}

/** The objective must be a number the training logs: the loss, or a metric of every config that is not a matrix or list. */
function checkObjective(exp: Experiment): void {
  const { metric } = exp.tune!.objective;
  const key = metric.split('.', 2)[1];
  for (const cell of exp.cells) {
    const names = ['loss', ...cell.spec.training.metrics.map((m, i) => makeMetric(m, `training.metrics[${i}]`).name)];
    const numeric = names.filter((n) => !['confusionMatrix', 'perClassAccuracy'].includes(n));
    if (!numeric.includes(key)) {
      const have = numeric.map((n) => `${metric.split('.')[0]}.${n}`).join(', ');
      const hint = names.includes(key) ? ` ('${key}' is a matrix or a list, not one number)` : `; add it to training.metrics`;
      throw new ConfigError('tune.objective', `the training never logs ${metric} as a number, so no trial could be scored (it logs ${have})${hint}`, exp.file ?? undefined);
    }
  }
}

/** The experiment as a search is recognised by: all of it but the budget (more trials or time continue the same study). */
function searchKey(raw: unknown): string {
  const copy = structuredClone(raw) as { tune?: Record<string, unknown> };
  if (copy.tune) {
    delete copy.tune.trials;
    delete copy.tune.timeoutS;
  }
  return JSON.stringify(copy);
}


/** The fields where two experiments differ, as dotted paths (at most `limit`). */
export function differingFields(a: unknown, b: unknown, limit = 8, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObj(a) || !isObj(b)) return [at || '(the whole experiment)'];
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    if (out.length >= limit) break;
    out.push(...differingFields(a[k], b[k], limit - out.length, at ? `${at}.${k}` : k));
  }
  return out;
}

/**
 * The study of this search: the open one of its name and key (its experiment but for the budget), created if
 * there is none, atomically, so every worker on the same search gets one study. A worker refuses a file that
 * differs from the open search of its name; `nnlab run` starts a new study for it, and says so.
 */
async function openStudy(exp: Experiment, o: TuneOptions): Promise<{ study: StudyRecord; resumed: boolean; note: string | null }> {
  const key = createHash('sha256').update(searchKey(exp.raw)).digest('hex');
  const open = await o.store.listSearchStudies(exp.name);
  const others = open.filter((s) => s.key !== key);
  const same = open.find((s) => s.key === key);
  if (o.worker && others.length > 0 && same === undefined) {
    const fields = differingFields(JSON.parse(searchKey(others[0].experiment)), JSON.parse(searchKey(exp.raw)));
    throw new ConfigError('', `this file differs from search ${others[0].id} (${exp.name}) in ${fields.join(', ')}; a worker joins a search only with the same experiment (the budget aside)`, exp.file ?? undefined);
  }
  const { study, created } = await o.store.openStudy({ name: exp.name, file: exp.file, experiment: exp.raw, key, fresh: o.fresh });
  let note: string | null = null;
  if (created && o.fresh) note = `starting study ${study.id} afresh (--fresh)${same ? `; study ${same.id} of this search is kept` : ''}`;
  else if (created && others.length > 0) note = `the experiment changed since study ${others[0].id} (${differingFields(JSON.parse(searchKey(others[0].experiment)), JSON.parse(searchKey(exp.raw))).join(', ')}), so this search is a new study ${study.id}`;
  return { study, resumed: !created, note };
}

/** Opens (or, with `fresh`, renews) the study of a search without training: what `run --workers` does before starting them. */
export async function openSearch(exp: Experiment, o: { store: RunStore; fresh?: boolean }): Promise<{ study: StudyRecord; note: string | null }> {
  const { study, note } = await openStudy(exp, { ...o, artifactsDir: '' });
  return { study, note };
}

/** The study's trials as stored (two queries, whatever the number of trials; no configs read). */
async function loadTrials(store: RunStore, exp: Experiment, studyId: number): Promise<{ trials: TrialRecord[] }> {
  const runs = await store.listTrialRuns(studyId);
  const epochs = await store.getStudyEpochs(studyId);
  return { trials: trialsOf(runs, epochs, exp.tune!.objective) };
}

function fmt(v: number | null): string {
  return v === null ? '-' : v.toFixed(4);
}

export async function tuneExperiment(exp: Experiment, o: TuneOptions): Promise<TuneOutcome> {
  const tune = exp.tune;
  if (tune === null) throw new NnlabError('tuneExperiment needs an experiment with a tune: section');
  checkObjective(exp);
  const data = await preflight(exp);
  const dataFor = async (cell: StudyCell): Promise<PreparedData> => {
    const key = dataKey(cell.spec.data, exp.seed);
    if (!data.has(key)) data.set(key, await prepareData(cell.spec.data, exp.seed, 'data'));
    return data.get(key)!;
  };
  try {
    const { study, resumed, note } = await openStudy(exp, o);
    if (note) say(o, note);
    const grace = graceSeconds(o);
    const crashed = (await o.store.markCrashed(grace)).filter((r) => r.studyId === study.id).length;
    const { sampler } = samplerFrom(tune.sampler, tune.seed, 'tune.sampler');
    const pruner = prunerFrom(tune.pruner, 'tune.pruner');
    const { objective } = tune;
    const maxEpochs = Math.max(...exp.cells.map((c) => c.spec.training.epochs));

    let baselines: BaselineResult[] = [];
    if (resumed && study.baselines) baselines = study.baselines as BaselineResult[];
    else if (exp.baselines.length) {
      const first = await dataFor(exp.cells[0]);
      baselines = scoreBaselines(exp.baselines, first, exp.seed, exp.cells[0].spec.training.metrics, exp.evaluateTest !== 'none');
      await o.store.setStudyBaselines(study.id, baselines);
    }

    const before = (await loadTrials(o.store, exp, study.id)).trials;
    if (resumed) {
      const done = before.filter((t) => t.state !== 'interrupted').length;
      say(o, `continuing study ${study.id} (${exp.name}): ${done} of ${tune.trials} trials stored${crashed ? `, ${crashed} left running by a process that died marked crashed (queued again once)` : ''}`);
    }
    const resumedTrials = await resumeInterrupted(exp, o, study.id, dataFor, pruner.name);
    let firstTrial = true;
    const result = await optimize({
      space: tune.space,
      sampler,
      pruner,
      objective,
      trials: tune.trials,
      timeoutS: tune.timeoutS,
      maxEpochs,
      signal: o.signal,
      waitForRunning: o.worker ? null : heartbeatSeconds(o),
      beforeClaim: async () => void (await o.store.markCrashed(grace)),
      load: async () => (await loadTrials(o.store, exp, study.id)).trials,
      claim: async (number, retryOf) => {
        try {
          // The trial's first run, as a placeholder until its parameters are chosen (runOne fills it in).
          return await o.store.createRun({ studyId: study.id, label: '', values: {}, config: {}, seed: exp.seed, repeat: 0, trial: number, retryOf, environment: {} as never });
        } catch (e) {
          if (e instanceof TrialTakenError) return 'taken';
          throw e;
        }
      },
      run: async ({ number, params, retryOf, claim }, prune) => {
        await runTrial(exp, o, study.id, number, params, retryOf, claim as RunRecord, prune, { dataFor, pruner: pruner.name, summary: firstTrial });
        firstTrial = false;
        const trials = (await loadTrials(o.store, exp, study.id)).trials;
        const t = trials.find((x) => x.number === number)!;
        const best = bestTrial(trials, objective.direction);
        const why = t.state === 'completed' ? '' : ` (${t.state}${t.message ? `: ${t.message}` : ''})`;
        say(o, `trial ${number} ${t.state === 'completed' ? 'complete' : t.state}: ${objective.metric} ${fmt(t.value)}${why}; best so far: ${best ? `trial ${best.number}, ${fmt(best.value)}` : 'none'}`);
        o.onTrialEnd?.(t, trials);
      },
    });

    const { trials } = await loadTrials(o.store, exp, study.id);
    const finalBest = bestTrial(trials, objective.direction);
    const interrupted = result.stop === 'interrupted' || trials.some((t) => result.started.includes(t.number) && t.state === 'interrupted');
    let tested: { trial: number | null; test: Logs | null; looks: TestLook[] } = { trial: null, test: null, looks: (await o.store.getStudy(study.id))?.testLooks ?? [] };
    const running = trials.some((t) => t.state === 'running');
    if (exp.evaluateTest === 'best' && finalBest !== null && !interrupted && !o.worker && !running) tested = await testBestTrial(exp, o.store, study.id, finalBest, trials, dataFor);
    return {
      studyId: study.id,
      resumed,
      stop: result.stop,
      trials,
      ran: [...resumedTrials, ...result.started],
      taken: result.taken,
      best: finalBest,
      test: tested.test,
      testedTrial: tested.trial,
      testLooks: tested.looks,
      baselines,
      sampler: sampler.config(),
      pruner: pruner.config(),
      samplerTimesS: result.samplerTimesS,
      interrupted,
    };
  } finally {
    for (const d of data.values()) disposePrepared(d);
  }
}

/**
 * Trains one trial: its executions in turn (seed + e), stopping at the first that is pruned, fails or is
 * interrupted. Creating its first run claims the trial number: 'taken' when another worker has it.
 */
async function runTrial(
  exp: Experiment,
  o: TuneOptions,
  studyId: number,
  number: number,
  params: Params,
  retryOf: number | null,
  claimed: RunRecord,
  prune: (intermediate: readonly (number | null)[], step: number) => boolean,
  x: { dataFor: (cell: StudyCell) => Promise<PreparedData>; pruner: string; summary: boolean },
): Promise<void> {
  const tune = exp.tune!;
  const { objective } = tune;
  let cell: StudyCell;
  try {
    cell = tune.cell(params);
  } catch (e) {
    // A point of the space the corner checks did not reach makes an invalid config: a failed trial, not a failed search.
    await o.store.updateRun(claimed.id, { label: '', values: params, config: {}, environment: claimed.environment });
    await o.store.finishRun(claimed.id, { status: 'failed', message: (e as Error).message, wallTimeS: 0, metrics: {} });
    return;
  }
  const data = await x.dataFor(cell);
  const shown = Object.entries(params).map(([k, v]) => `${k.split('.').pop()}=${paramText(v)}`).join(' ');
  for (let e = 0; e < tune.executionsPerTrial; e++) {
    const prefix = `trial ${number}${tune.executionsPerTrial > 1 ? ` execution ${e + 1}/${tune.executionsPerTrial}` : ''} [${shown}] `;
    const outcome = await runOne(exp, cell, e, data, studyId, { i: number + 1, n: tune.trials }, o, {
      trial: number,
      retryOf: retryOf ?? undefined,
      callbacks: trialCallbacks(objective, x.pruner, prune),
      prefix,
      summary: x.summary && e === 0,
      claimed: e === 0 ? claimed : undefined,
    });
    if (outcome.record.status !== 'completed' && outcome.record.status !== 'stopped') return;
  }
}

/**
 * A trial's own callbacks: the pruner's check after each epoch (its curve kept in checkpoints, so a resumed
 * trial prunes as it would have), and, for `reduce: best`, the best epoch's weights put back at the end.
 */
export function trialCallbacks(objective: Objective, pruner: string, prune: (intermediate: readonly (number | null)[], step: number) => boolean): Callback[] {
  let curve: (number | null)[] = [];
  const pruning: Callback = {
    name: 'pruner',
    onEpochEnd(log, ctx) {
      const v = epochValue(log, objective.metric);
      curve[log.epoch] = v;
      for (let i = 0; i < log.epoch; i++) curve[i] ??= null;
      if (v === null || log.epoch >= ctx.epochs - 1 || !prune(curve, log.epoch)) return;
      ctx.stop('pruned', `pruned by ${pruner} after epoch ${log.epoch + 1}: ${objective.metric} ${v.toFixed(4)}`);
    },
    getState: () => ({ json: { curve } }),
    setState: (state) => void (curve = [...((state.json as { curve: (number | null)[] }).curve ?? [])]),
  };
  return [pruning, ...(objective.reduce === 'best' ? [new KeepBestWeights(kerasName(objective.metric), objective.direction)] : [])];
}

/**
 * The pruning question for a stored trial, as the search asks it: its curve against the study's other trials
 * as stored now (used when a trial is resumed outside the search loop).
 */
export async function pruneCheckOf(exp: Experiment, store: RunStore, studyId: number, trial: number): Promise<(intermediate: readonly (number | null)[], step: number) => boolean> {
  const pruner = prunerFrom(exp.tune!.pruner, 'tune.pruner');
  const { trials } = await loadTrials(store, exp, studyId);
  const others = countedTrials(trials).filter((t) => t.number !== trial);
  const params = trials.find((t) => t.number === trial)?.params ?? {};
  const maxEpochs = Math.max(...exp.cells.map((c) => c.spec.training.epochs));
  return (intermediate, step) =>
    pruner.shouldPrune({ number: trial, state: 'running', params, value: null, intermediate: [...intermediate] }, step, { direction: exp.tune!.objective.direction, trials: others, maxEpochs });
}

/**
 * Continues the interrupted trials of a search that have a usable checkpoint (Ctrl-C left them): each is
 * reopened (one worker wins the reopen) and trained on from its newest checkpoint that loads and fits, exactly
 * as it would have gone on.
 */
async function resumeInterrupted(exp: Experiment, o: TuneOptions, studyId: number, dataFor: (cell: StudyCell) => Promise<PreparedData>, pruner: string): Promise<number[]> {
  const resumed: number[] = [];
  for (const run of await o.store.listRuns({ studyId, status: 'interrupted' })) {
    if (run.trial === null) continue;
    const cell = exp.tune!.cell(run.values as Params);
    const data = await dataFor(cell);
    const { checkpoint, skipped } = usableCheckpoint(o.artifactsDir, run.id, checkpointFits(cell, data));
    if (checkpoint === null) continue;
    let record: RunRecord;
    try {
      record = await reopenForResume(o.store, run.id, checkpoint);
    } catch {
      checkpoint.dispose();
      continue; // another worker took it
    }
    const prune = await pruneCheckOf(exp, o.store, studyId, run.trial);
    say(o, `resuming trial ${run.trial} (run ${run.id}) from its checkpoint after epoch ${checkpoint.completed}${skippedNote(skipped)}`);
    await runOne(exp, cell, run.repeat, data, studyId, { i: run.trial + 1, n: exp.tune!.trials }, o, {
      trial: run.trial,
      callbacks: trialCallbacks(exp.tune!.objective, pruner, prune),
      prefix: `trial ${run.trial} (resumed) `,
      summary: false,
      resume: { record, checkpoint },
    });
    resumed.push(run.trial);
  }
  return resumed;
}

/**
 * The search's look at its test set: once per study. The first time, the best trial's runs are evaluated (the
 * look recorded first, so a process killed half-way is finished by the next, as it was); later, when an extended
 * search found a better trial, nothing is evaluated: the tested trial's scores are reported, and the new best is
 * left to an explicit `nnlab test`.
 */
async function testBestTrial(
  exp: Experiment,
  store: RunStore,
  studyId: number,
  best: TrialRecord,
  trials: readonly TrialRecord[],
  dataFor: (cell: StudyCell) => Promise<PreparedData>,
): Promise<{ trial: number | null; test: Logs | null; looks: TestLook[] }> {
  const { looks } = await store.addTestLook(studyId, { target: `trial ${best.number}`, trial: best.number, runIds: best.runIds, how: 'final' });
  const first = looks.find((l) => l.how === 'final')!;
  const trial = trials.find((t) => t.number === first.trial) ?? best;
  const cell = exp.tune!.cell(trial.params);
  const runs = await evaluateOnTest(store, first.runIds, cell, await dataFor(cell));
  return { trial: trial.number, test: meanTest(runs), looks };
}
