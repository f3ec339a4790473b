// The baseline check judges configs on the metric the study ranks by, in its direction, and on no other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBaselines } from './baseline-check.js';
import { summarizeStudy } from './study-summary.js';
import { makeStudy } from '../testing/run-fixtures.js';

// Scored as the lab scores them: classification metrics, no loss.
const baselines = [
  { name: 'majority', val: { accuracy: 0.88 } },
  { name: 'uniform', val: { accuracy: 0.33 } },
];

test('a study ranked by val.accuracy flags the configs whose mean does not beat the best baseline', () => {
  const { runs, epochsByRun } = makeStudy();
  const b = summarizeStudy(runs, epochsByRun, { baselines }).baseline!;
  assert.equal(b.metric, 'val.accuracy');
  assert.deepEqual(b.best, { name: 'majority', value: 0.88 });
  assert.deepEqual(b.configs, ['model.activation=sigmoid']);
  assert.deepEqual(b.runs, [4, 5, 6]);
});

test('a study ranked by val.loss is not judged on accuracy: without a baseline loss nothing is flagged', () => {
  const { runs, epochsByRun } = makeStudy();
  const b = summarizeStudy(runs, epochsByRun, { metric: 'val.loss', baselines }).baseline!;
  assert.deepEqual(b, { metric: 'val.loss', direction: 'min', best: null, configs: [], runs: [] });
});

test('with a baseline loss, lower is better: a config whose mean loss is not below it is flagged', () => {
  const { runs, epochsByRun } = makeStudy();
  // Every run's final val loss is the same curve's end; shift one config's up past the baseline.
  for (const r of runs) if (r.values['model.activation'] === 'sigmoid') r.metrics.val!.loss = 1.2;
  const summary = summarizeStudy(runs, epochsByRun, { metric: 'val.loss' });
  const withLoss = [...baselines, { name: 'prior', val: { accuracy: 0.88, loss: 1.0 } }];
  const b = checkBaselines(withLoss, summary.configs, runs, 'val.loss', 'min');
  assert.deepEqual(b.best, { name: 'prior', value: 1.0 });
  assert.deepEqual(b.configs, ['model.activation=sigmoid']);
  assert.deepEqual(b.runs, [4, 5, 6]);
});
