// Class weights turned into per-sample weights, as Keras's fit(classWeight) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../tensor/index.js';
import { ConfigError } from '../engine/errors.js';
import { balancedClassWeight, checkClassWeight, resolveClassWeight, sampleWeightsFromClassWeight } from './class-weight.js';
import { loss } from './losses.js';

test('class weights become per-sample weights; unnamed classes weigh 1', () => {
  tidy(() => {
    const cw = { 0: 0.5, '2': 4 };
    assert.deepEqual(sampleWeightsFromClassWeight(cw, tensor([0, 1, 2, 3, 2], undefined, 'int64')).toNumbers(), [0.5, 1, 4, 1, 4]);
    assert.deepEqual(sampleWeightsFromClassWeight(cw, tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]])).toNumbers(), [4, 0.5, 1]);
    assert.deepEqual(sampleWeightsFromClassWeight({ 1: 3 }, tensor([[1], [0], [1]])).toNumbers(), [3, 1, 3]);
    assert.deepEqual(sampleWeightsFromClassWeight({}, tensor([2, 0], undefined, 'int64')).toNumbers(), [1, 1]);
  });
  assert.throws(() => sampleWeightsFromClassWeight({ '-1': 2 }, tensor([0])), /classWeight\.-1: class indices are integers >= 0/);
  assert.throws(() => sampleWeightsFromClassWeight({ 1: -2 }, tensor([0])), /classWeight\.1: expected a weight >= 0/);
});

test('class-weighted loss: a class weighted 3 counts three times, divided by the batch size', () => {
  const before = liveTensors().tensors;
  tidy(() => {
    const y = tensor([0, 1, 1], undefined, 'int64');
    const x = tensor([[2, 0], [0, 1], [3, 0]]);
    const ce = loss({ name: 'sparseCategoricalCrossentropy', fromLogits: true });
    const per = [0, 1, 2].map((i) => ce.compute(x.narrow(0, i, 1), y.narrow(0, i, 1)).item());
    const weighted = ce.compute(x, y, sampleWeightsFromClassWeight({ 1: 3 }, y)).item();
    assert.ok(Math.abs(weighted - (per[0] + 3 * per[1] + 3 * per[2]) / 3) < 1e-6);
  });
  assert.equal(liveTensors().tensors, before);
});

test('classWeight maps are checked', () => {
  assert.throws(() => checkClassWeight([1, 2], 'training.classWeight'), (e: unknown) => e instanceof ConfigError && /^training\.classWeight: expected a map/.test(e.message));
  assert.throws(() => checkClassWeight({ a: 1 }), /classWeight\.a: class indices are integers >= 0/);
  assert.throws(() => checkClassWeight({ 0: 'x' }), /classWeight\.0: expected a weight >= 0/);
});

test("classWeight 'balanced' is scikit-learn's n_samples / (n_classes * count), over the classes that occur", () => {
  const before = liveTensors().tensors;
  tidy(() => {
    // Labels 0 ×6, 1 ×3, 3 ×1 (class 2 absent): sklearn's compute_class_weight('balanced', classes=[0, 1, 3], y)
    // gives 10 / (3·6), 10 / (3·3), 10 / (3·1).
    const y = tensor([0, 0, 1, 0, 3, 0, 1, 0, 1, 0], undefined, 'int64');
    const w = balancedClassWeight(y);
    assert.deepEqual(Object.keys(w), ['0', '1', '3']);
    for (const [k, want] of [[0, 10 / 18], [1, 10 / 9], [3, 10 / 3]] as const) assert.ok(Math.abs(w[k] - want) < 1e-12, `class ${k}: ${w[k]} vs ${want}`);
    assert.deepEqual(resolveClassWeight('balanced', y), w);
    assert.deepEqual(resolveClassWeight({ 1: 2 }, y), { 1: 2 });
    // One-hot and 0/1 float targets count the same way.
    assert.deepEqual(balancedClassWeight(tensor([[1, 0], [0, 1], [0, 1], [0, 1]])), { 0: 2, 1: 4 / 6 });
    assert.deepEqual(balancedClassWeight(tensor([[1], [0], [0], [0]])), { 0: 4 / 6, 1: 2 });
  });
  assert.equal(liveTensors().tensors, before);
  assert.equal(checkClassWeight('balanced'), 'balanced');
  assert.throws(() => checkClassWeight('balance', 'training.classWeight'), /training\.classWeight: expected a map from class index to weight.*or 'balanced', got "balance"/);
});
