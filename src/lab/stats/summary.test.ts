import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalMetric, metricKeys, summarizeConfigs } from './summary.js';
import { describe } from './describe.js';
import { makeRun, makeStudy } from '../../testing/run-fixtures.js';

test('runs sharing a label become one config; each scalar metric is described over its runs', () => {
  const { runs } = makeStudy();
  const configs = summarizeConfigs(runs);
  assert.deepEqual(configs.map((c) => c.label), ['model.activation=relu', 'model.activation=sigmoid', 'model.activation=selu']);
  const relu = configs[0];
  assert.deepEqual(relu.runIds, [1, 2, 3]);
  assert.deepEqual(relu.values, { 'model.activation': 'relu' });
  // The confusion matrix is not a scalar: no key for it. Loss before accuracy, train before val.
  assert.deepEqual(Object.keys(relu.metrics), ['train.loss', 'train.accuracy', 'val.loss', 'val.accuracy']);
  const acc = runs.slice(0, 3).map((r) => r.metrics.val!.accuracy as number);
  const expected = describe(acc);
  assert.deepEqual(relu.metrics['val.accuracy'], { ...expected, values: acc });
  assert.equal(relu.metrics['val.accuracy'].n, 3);
  assert.deepEqual(relu.wallTimeS.values, [12, 13, 14]);
  assert.equal(relu.wallTimeS.mean, 13);
});

test('diverged runs are excluded from the statistics and listed', () => {
  const selu = summarizeConfigs(makeStudy().runs)[2];
  assert.deepEqual(selu.runIds, [7]);
  assert.deepEqual(selu.excluded, [{ runId: 8, status: 'diverged' }]);
  assert.equal(selu.metrics['val.accuracy'].n, 1);
  assert.equal(selu.metrics['val.accuracy'].std, null);
  assert.equal(selu.metrics['val.accuracy'].ci95, null);
});

test('finalMetric reads split.name and ignores non-numbers; metricKeys spans every split', () => {
  const run = makeRun({ id: 1, metrics: { val: { accuracy: 0.9, confusionMatrix: [[1]] }, test: { f1Macro: 0.8, loss: 0.3 } } });
  assert.equal(finalMetric(run, 'val.accuracy'), 0.9);
  assert.equal(finalMetric(run, 'val.confusionMatrix'), undefined);
  assert.equal(finalMetric(run, 'train.loss'), undefined);
  assert.deepEqual(metricKeys([run]), ['val.accuracy', 'test.loss', 'test.f1Macro']);
});
