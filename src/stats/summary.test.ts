import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalMetric, metricKeys, summarizeConfigs } from './summary.js';
import { describe } from './describe.js';
import { makeRun, makeStudy } from '../testing/run-fixtures.js';

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
  const expected = describe(acc, [0, 1]);
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

test('runs of different configs are never pooled: single runs and runs of several studies keep their configs apart', () => {
  const cfg = (lr: number) => ({ training: { optimizer: { name: 'sgd', lr } }, model: { layers: [] } });
  const runs = [
    makeRun({ id: 2, studyId: null, config: cfg(0.1), metrics: { val: { accuracy: 0.9 } } }),
    makeRun({ id: 3, studyId: null, config: cfg(0.01), metrics: { val: { accuracy: 0.8 } } }),
    makeRun({ id: 4, studyId: null, config: cfg(0.1), metrics: { val: { accuracy: 0.92 } } }),
  ];
  const configs = summarizeConfigs(runs);
  assert.deepEqual(configs.map((c) => [c.label, c.runIds]), [['training.optimizer.lr=0.1', [2, 4]], ['training.optimizer.lr=0.01', [3]]]);
  // The same label in two studies: two configs, named by study when their configs do not tell them apart.
  const twice = summarizeConfigs([makeRun({ id: 5, studyId: 1, label: 'a=1' }), makeRun({ id: 6, studyId: 2, label: 'a=1' })]);
  assert.deepEqual(twice.map((c) => c.label), ['study 1: a=1', 'study 2: a=1']);
  // Many differing fields: the first four name the config, and how many more differ.
  const many = summarizeConfigs([makeRun({ id: 7, studyId: null, config: { a: 1, b: 1, c: 1, d: 1, e: 1 } }), makeRun({ id: 8, studyId: null, config: { a: 2, b: 2, c: 2, d: 2, e: 2 } })]);
  assert.deepEqual(many.map((c) => c.label), ['a=1, b=1, c=1, d=1, +1 more', 'a=2, b=2, c=2, d=2, +1 more']);
  assert.equal(many[1].changes!.length, 5);
});

test('runs outside a study that differ in shuffle, preprocessing and a layer are named by those fields, not "run N"', () => {
  const cfg = (shuffle: boolean, normalize: string, units: number) => ({
    data: { preprocess: { normalize, flatten: true } },
    training: { shuffle, epochs: 5 },
    model: { layers: [{ type: 'dense', units: 64 }, { type: 'dense', units }, { type: 'dense', units: 10 }] },
  });
  const runs = [
    makeRun({ id: 2, studyId: null, config: cfg(true, 'standard', 128) }),
    makeRun({ id: 3, studyId: null, config: cfg(false, 'none', 256) }),
  ];
  const [a, b] = summarizeConfigs(runs);
  assert.equal(a.label, 'data.preprocess.normalize=standard, training.shuffle=true, model.layers[1].units=128');
  assert.equal(b.label, 'data.preprocess.normalize=none, training.shuffle=false, model.layers[1].units=256');
  assert.deepEqual(b.values, { 'data.preprocess.normalize': 'none', 'training.shuffle': false, 'model.layers[1].units': 256 });
  assert.equal(a.changes, undefined);
  assert.deepEqual(b.changes, [
    { path: 'data.preprocess.normalize', kind: 'changed', from: 'standard', to: 'none' },
    { path: 'training.shuffle', kind: 'changed', from: true, to: false },
    { path: 'model.layers[1].units', kind: 'changed', from: 128, to: 256 },
  ]);
  // Runs of a study keep their factor values and have no changes listed.
  assert.ok(summarizeConfigs(makeStudy().runs).every((c) => c.changes === undefined));
});
