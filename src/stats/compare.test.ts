import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareToBest } from './compare.js';
import { summarizeConfigs } from './summary.js';
import { welchTest } from './welch.js';
import { makeRun, makeStudy } from '../testing/run-fixtures.js';
import { ConfigError } from '../engine/errors.js';

test('the best config by validation accuracy is tested against each other config', () => {
  const configs = summarizeConfigs(makeStudy().runs);
  const c = compareToBest(configs)!;
  assert.equal(c.metric, 'val.accuracy');
  assert.equal(c.direction, 'max');
  assert.equal(c.best.label, 'model.activation=relu');
  assert.equal(c.best.n, 3);
  assert.deepEqual(c.tests.map((t) => t.label), ['model.activation=sigmoid', 'model.activation=selu']);
  const [sigmoid, selu] = c.tests;
  // Same numbers as a direct Welch test of the two configs' values.
  const direct = welchTest(configs[0].metrics['val.accuracy'].values, configs[1].metrics['val.accuracy'].values);
  assert.deepEqual({ t: sigmoid.t, df: sigmoid.df, p: sigmoid.p }, { t: direct.t, df: direct.df, p: direct.p });
  assert.ok(sigmoid.meanDiff! > 0.03);
  assert.equal(sigmoid.significant, true);
  // selu has one counted run (the other diverged): no test, and the note says so.
  assert.equal(selu.n, 1);
  assert.equal(selu.p, null);
  assert.match(selu.note!, /at least 2 runs/);
});

test('losses are minimised; regression (no accuracy) compares validation loss by default', () => {
  const runs = [1, 2, 3, 4].map((id) =>
    makeRun({ id, label: id <= 2 ? 'a' : 'b', metrics: { train: { loss: 0.1 }, val: { loss: id <= 2 ? 0.5 + id / 100 : 0.3 + id / 100 } } }),
  );
  const c = compareToBest(summarizeConfigs(runs))!;
  assert.equal(c.metric, 'val.loss');
  assert.equal(c.direction, 'min');
  assert.equal(c.best.label, 'b');
  assert.ok(c.tests[0].meanDiff! < 0);
  // An explicit metric and direction win over the defaults.
  const byTrain = compareToBest(summarizeConfigs(runs), { metric: 'val.loss', direction: 'max' })!;
  assert.equal(byTrain.best.label, 'a');
});

test('an unknown metric names the field and the valid keys, with a did-you-mean', () => {
  const configs = summarizeConfigs(makeStudy().runs);
  assert.throws(() => compareToBest(configs, { metric: 'val.acuracy' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /compare\.metric: unknown metric 'val\.acuracy' \(did you mean 'val\.accuracy'\?\); valid: train\.loss/);
    return true;
  });
  assert.equal(compareToBest([]), null);
});
