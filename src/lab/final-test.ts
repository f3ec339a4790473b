// The test set, looked at once, for the config chosen on validation (evaluateTest 'best', the default for a
// study): after every run of the study has ended, the configs are ranked by the study's metric on the runs'
// final validation (or training) metrics, and only the runs of the best config are evaluated on the sealed test
// set, each from its saved weights. Their test metrics are added to their stored records. Choosing by a test
// metric would use the test set to choose, so the experiment refuses it when it loads.
import { NnlabError } from '../engine/errors.js';
import { makeTrainer } from './make-trainer.js';
import { loadModel } from '../train/model-io.js';
import type { RunRecord, RunStore } from '../store/types.js';
import { compareToBest } from '../stats/compare.js';
import { COUNTED_STATUSES, summarizeConfigs } from '../stats/summary.js';
import type { PreparedData } from './data-prep.js';
import type { Experiment, StudyCell } from './types.js';

export interface FinalTest {
  /** The chosen config's label, the metric that chose it, and its mean there. */
  label: string;
  metric: string;
  mean: number;
  /** The runs evaluated on the test set, with their test metrics. */
  runs: RunRecord[];
}

/**
 * Evaluates the runs of the best config on the test set and stores their test metrics; null when no config has
 * a value of the metric. `dataOf` gives a cell's prepared data, `weightsOf` a run's saved model folder.
 */
export async function testBestConfig(
  exp: Experiment,
  records: readonly RunRecord[],
  dataOf: (cell: StudyCell) => PreparedData,
  weightsOf: (run: RunRecord) => Promise<string>,
  store: RunStore,
): Promise<FinalTest | null> {
  const configs = summarizeConfigs(records);
  const comparison = compareToBest(configs, { metric: exp.study?.metric, direction: exp.study?.direction });
  if (comparison === null) return null;
  const best = configs.find((c) => c.label === comparison.best.label)!;
  const cell = exp.cells.find((c) => c.label === records.find((r) => r.id === best.runIds[0])?.label);
  if (cell === undefined) throw new NnlabError(`the config chosen on validation (${best.label}) is not a config of this experiment`);
  const data = dataOf(cell);
  const tested: RunRecord[] = [];
  for (const run of records.filter((r) => best.runIds.includes(r.id) && COUNTED_STATUSES.includes(r.status))) {
    const { model } = loadModel(await weightsOf(run));
    const trainer = makeTrainer(cell.spec, model);
    try {
      const logs = data.test.finalEvaluation((t) => trainer.evaluate(t, { batchSize: cell.spec.training.batchSize }));
      tested.push(await store.setRunMetrics(run.id, 'test', logs));
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  return { label: best.label, metric: comparison.metric, mean: comparison.best.mean, runs: tested };
}
