// The test set, looked at once per study. A study (evaluateTest 'best', its default) ranks its configs by the
// study's metric on the runs' final validation (or training) metrics once every run has ended, and evaluates
// only the runs of the best config on the sealed test set, each from its saved weights. A search does the same
// for its best trial. The look is recorded on the study before the evaluation (store.addTestLook), so a process
// killed half-way leaves a record of what it was evaluating, and the next run of the file finishes exactly that:
// runs that already have a test score keep it, the others are evaluated, nothing is chosen again. Any further
// look (a later, better trial of an extended search) takes an explicit `nnlab test`, and is counted.
// Choosing by a test metric would use the test set to choose, so the experiment refuses it when it loads.
import { ConfigError, NnlabError } from '../engine/errors.js';
import { makeTrainer } from './make-trainer.js';
import { loadModel } from '../train/model-io.js';
import type { Logs } from '../record/history.js';
import type { RunRecord, RunStore, TestLook } from '../store/types.js';
import { runWeights } from '../store/artifact-hash.js';
import { compareToBest } from '../stats/compare.js';
import { COUNTED_STATUSES, summarizeConfigs } from '../stats/summary.js';
import { disposePrepared, prepareData, type PreparedData } from './data-prep.js';
import { parseExperiment } from './experiment/index.js';
import { stringify } from 'yaml';
import type { Experiment, StudyCell } from './types.js';
import type { Params } from '../tune/space.js';

export interface FinalTest {
  /** The chosen config's label, the metric that chose it, and its mean there. */
  label: string;
  metric: string;
  mean: number;
  /** The runs evaluated on the test set, with their test metrics. */
  runs: RunRecord[];
}

/**
 * Evaluates each run on the test set from its saved weights, unless it has a test score already (kept, never
 * recomputed), and stores the scores; returns the runs as stored after.
 */
export async function evaluateOnTest(store: RunStore, runIds: readonly number[], cell: StudyCell, data: PreparedData): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const id of runIds) {
    const run = await store.getRun(id);
    if (!run) throw new NnlabError(`run ${id} is not in ${store.url}`);
    if (run.metrics.test) {
      out.push(run);
      continue;
    }
    const { model } = loadModel(await runWeights(store, id));
    const trainer = makeTrainer(cell.spec, model);
    try {
      const logs = data.test.finalEvaluation((t) => trainer.evaluate(t, { batchSize: cell.spec.training.batchSize }));
      out.push(await store.setRunMetrics(id, 'test', logs));
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  return out;
}

/** The mean test score of runs, per metric (a list or matrix: the first run's). */
export function meanTest(runs: readonly RunRecord[]): Logs | null {
  const scores = runs.map((r) => r.metrics.test).filter((t): t is NonNullable<typeof t> => t !== undefined) as Logs[];
  if (scores.length === 0) return null;
  const out: Logs = {};
  for (const [k, v] of Object.entries(scores[0])) out[k] = typeof v === 'number' ? scores.reduce((a, s) => a + (s[k] as number), 0) / scores.length : v;
  return out;
}

/** How a look is named: the config's label, or "the only config". */
function targetOf(label: string): string {
  return label || '(the only config)';
}

/**
 * A study's look at its test set: the runs of the config chosen on validation, evaluated and stored (null when
 * no config has a value of the metric). A look the study already recorded (a process killed during it) is
 * finished as recorded.
 */
export async function testBestConfig(
  exp: Experiment,
  studyId: number,
  records: readonly RunRecord[],
  dataOf: (cell: StudyCell) => PreparedData,
  store: RunStore,
): Promise<FinalTest | null> {
  const configs = summarizeConfigs(records);
  const comparison = compareToBest(configs, { metric: exp.study?.metric, direction: exp.study?.direction });
  if (comparison === null) return null;
  const best = configs.find((c) => c.label === comparison.best.label)!;
  const runIds = records.filter((r) => best.runIds.includes(r.id) && COUNTED_STATUSES.includes(r.status)).map((r) => r.id);
  const { looks } = await store.addTestLook(studyId, { target: targetOf(best.label), trial: null, runIds, how: 'final' });
  const look = looks.find((l) => l.how === 'final')!;
  const label = records.find((r) => r.id === look.runIds[0])?.label ?? best.label;
  const cell = exp.cells.find((c) => c.label === label);
  if (cell === undefined) throw new NnlabError(`the config chosen on validation (${look.target}) is not a config of this experiment`);
  const tested = await evaluateOnTest(store, look.runIds, cell, dataOf(cell));
  const chosen = configs.find((c) => c.label === label) ?? best;
  return { label, metric: comparison.metric, mean: chosen.metrics[comparison.metric]?.mean ?? comparison.best.mean, runs: tested };
}

/** Refuses a second look at the same target: its scores are stored, and looking again would choose by them. */
export function refuseRepeatedLook(looks: readonly TestLook[], target: string, studyId: number): void {
  const seen = looks.find((l) => l.target === target);
  if (seen) throw new ConfigError('test', `study ${studyId} has looked at the test set for ${target} already (${seen.at}); its test scores are stored with its runs`);
}

/** What `nnlab test` evaluated: the look it recorded, the runs with their test scores, their mean. */
export interface ExplicitTest {
  studyId: number;
  look: TestLook;
  /** Every look of the study, this one last. */
  looks: TestLook[];
  runs: RunRecord[];
  test: Logs | null;
}

/**
 * `nnlab test <study> --trial N` (a search) or `--config LABEL` (a study): evaluates that trial's or config's
 * runs on the test set from their saved weights, as a look the study records and counts. A target the study
 * has looked at already is refused: its scores are stored, and looking again would be choosing by them.
 */
export async function testExplicitly(store: RunStore, studyRef: string, target: { trial?: number; config?: string }): Promise<ExplicitTest> {
  const study = await store.getStudy(/^\d+$/.test(studyRef) ? Number(studyRef) : studyRef);
  if (!study) throw new ConfigError('study', `no study '${studyRef}' in ${store.url}`);
  const exp = parseExperiment(stringify(study.experiment), study.file);
  const runs = await store.listRuns({ studyId: study.id });
  let cell: StudyCell;
  let chosen: RunRecord[];
  let name: string;
  if (target.trial !== undefined) {
    if (study.kind !== 'tune' || exp.tune === null) throw new ConfigError('--trial', `study ${study.id} (${study.name}) is not a search; name a config with --config`);
    chosen = runs.filter((r) => r.trial === target.trial);
    if (chosen.length === 0) throw new ConfigError('--trial', `study ${study.id} has no trial ${target.trial}`);
    name = `trial ${target.trial}`;
    cell = exp.tune.cell(chosen[0].values as Params);
  } else {
    if (study.kind === 'tune') throw new ConfigError('--config', `study ${study.id} (${study.name}) is a search; name a trial with --trial`);
    const label = target.config ?? '';
    const found = exp.cells.find((c) => c.label === label);
    if (!found) throw new ConfigError('--config', `study ${study.id} has no config '${label}'; its configs: ${exp.cells.map((c) => c.label || "''").join(', ')}`);
    cell = found;
    chosen = runs.filter((r) => r.label === label);
    name = targetOf(label);
  }
  const counted = chosen.filter((r) => COUNTED_STATUSES.includes(r.status));
  if (counted.length === 0) throw new ConfigError('test', `${name} of study ${study.id} has no completed run to evaluate (${chosen.map((r) => `run ${r.id} ${r.status}`).join(', ')})`);
  refuseRepeatedLook(study.testLooks, name, study.id);
  const data = await prepareData(cell.spec.data, exp.seed, 'data');
  try {
    const { added, looks } = await store.addTestLook(study.id, { target: name, trial: target.trial ?? null, runIds: counted.map((r) => r.id), how: 'explicit' });
    if (!added) refuseRepeatedLook(looks, name, study.id); // another process looked first
    const tested = await evaluateOnTest(store, counted.map((r) => r.id), cell, data);
    return { studyId: study.id, look: looks[looks.length - 1], looks, runs: tested, test: meanTest(tested) };
  } finally {
    disposePrepared(data);
  }
}
