// A search's results as data, from what the store holds: its trials (best first, or by number), the best trial
// with its test score, the counts by state, and parameter importance. The terminal summary, the reports and a
// dashboard all render this one object.
import type { EpochLog, Logs } from '../record/history.js';
import type { RunRecord, StudyRecord, TestLook } from '../record/run.js';
import { NnlabError } from '../engine/errors.js';
import { readObjective, type Objective } from './objective.js';
import { countedTrials, trialsOf, type TrialRecord } from './records.js';
import { readSpace, type Space } from './space.js';
import { bestTrial } from './trial.js';
import { samplerFrom } from './samplers/index.js';
import { prunerFrom } from './pruners/index.js';
import { importance, type ImportanceResult } from './importance.js';

export interface TuneSummary {
  objective: Objective;
  /** Settings with defaults filled in. */
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  /** The study's budget of trials. */
  budget: number;
  space: Space;
  /** Every trial, by number. */
  trials: TrialRecord[];
  best: TrialRecord | null;
  /** The best trial's test metrics (mean over its executions), or null when it was not evaluated on test. */
  test: Logs | null;
  /** Every look at the study's test set, oldest first: a search looks once, more only by explicit `nnlab test`. */
  looks: TestLook[];
  /**
   * The trial of the study's first look at the test set, with its test metrics: the best trial, unless the search
   * was extended after it and found a better one (which then waits for an explicit `nnlab test`).
   */
  tested: { trial: number; test: Logs | null } | null;
  /** Trials by state. */
  counts: Record<TrialRecord['state'], number>;
  /** Parameter importance over the completed trials, or null with fewer than two of them. */
  importance: ImportanceResult | null;
}

/** The tune section a study was created from. */
function tuneSection(study: StudyRecord): { section: Record<string, unknown>; seed: number } {
  const exp = study.experiment as { tune?: Record<string, unknown>; seed?: number } | null;
  if (study.kind !== 'tune' || !exp?.tune) throw new NnlabError(`study ${study.id} (${study.name}) is not a search: it has no tune section`);
  return { section: exp.tune, seed: exp.seed ?? 0 };
}

/** The search of a study (kind 'tune') from its runs and their epochs. */
export function summarizeTune(study: StudyRecord, runs: readonly RunRecord[], epochsByRun: ReadonlyMap<number, readonly EpochLog[]>): TuneSummary {
  const { section, seed } = tuneSection(study);
  const fail = (_: unknown, problem: string) => new NnlabError(`study ${study.id}: its tune section no longer reads: ${problem}`);
  const objective = readObjective(section.objective, fail);
  const space = readSpace(section.space as Record<string, unknown>, fail);
  const sampler = samplerFrom(section.sampler, (section.seed as number | undefined) ?? seed).sampler.config();
  const pruner = prunerFrom(section.pruner).config();
  const trials = trialsOf(runs, epochsByRun, objective);
  const counted = countedTrials(trials);
  const best = bestTrial(trials, objective.direction);
  const counts = { running: 0, completed: 0, pruned: 0, failed: 0, interrupted: 0, crashed: 0 };
  for (const t of trials) counts[t.state]++;
  const test = best ? testOf(best, runs) : null;
  const first = study.testLooks.find((l) => l.trial !== null);
  const firstTrial = first ? trials.find((t) => t.number === first.trial) : undefined;
  const tested = firstTrial ? { trial: firstTrial.number, test: testOf(firstTrial, runs) } : null;
  const completed = counted.filter((t) => t.state === 'completed' && t.value !== null);
  const imp = completed.length >= 2 && space.params.length > 0 ? importance(space, completed, { seed: 0 }) : null;
  return { objective, sampler, pruner, budget: (section.trials as number | undefined) ?? 10, space, trials, best, test, looks: study.testLooks, tested, counts, importance: imp };
}

/** A trial's test metrics, the mean over its executions, once every execution has one (else null). */
function testOf(trial: TrialRecord, runs: readonly RunRecord[]): Logs | null {
  const scores = trial.runIds.map((id) => runs.find((r) => r.id === id)?.metrics.test).filter((m): m is NonNullable<typeof m> => !!m);
  if (scores.length !== trial.runIds.length || scores.length === 0) return null;
  const test: Logs = {};
  for (const [k, v] of Object.entries(scores[0])) test[k] = typeof v === 'number' ? scores.reduce((a, s) => a + (s[k] as number), 0) / scores.length : v;
  return test;
}
