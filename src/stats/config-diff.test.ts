import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changeText, diffConfigs, differingFields, pathText } from './config-diff.js';

const dense = (units: number) => ({ type: 'dense', units });
const relu = { type: 'activation', activation: 'relu' };

test('a changed field in a layer list is named by its path, not the whole list', () => {
  const a = { model: { layers: [dense(128), relu, dense(10)] }, training: { shuffle: true } };
  const b = { model: { layers: [dense(256), relu, dense(10)] }, training: { shuffle: false } };
  assert.deepEqual(diffConfigs(a, b).map(changeText), ['model.layers[0].units: 128 -> 256', 'training.shuffle: true -> false']);
  assert.deepEqual(diffConfigs(a, structuredClone(a)), []);
  // Key order does not make a difference.
  assert.deepEqual(diffConfigs({ x: { p: 1, q: 2 } }, { x: { q: 2, p: 1 } }), []);
});

test('a layer inserted or removed in the middle is one addition or removal; added and removed fields', () => {
  const a = { layers: [dense(128), relu, dense(10)] };
  const b = { layers: [dense(128), { type: 'dropout', rate: 0.5 }, relu, dense(10)] };
  assert.deepEqual(diffConfigs(a, b).map(changeText), ['layers[1]: added {"type":"dropout","rate":0.5}']);
  assert.deepEqual(diffConfigs(b, a).map(changeText), ['layers[1]: removed (was {"type":"dropout","rate":0.5})']);
  // An inserted layer next to a changed one: the change is still a change of units.
  const c = { layers: [dense(512), { type: 'dropout', rate: 0.2 }, dense(256), dense(10)] };
  assert.deepEqual(diffConfigs({ layers: [dense(512), dense(128), dense(10)] }, c).map(changeText), ['layers[1]: added {"type":"dropout","rate":0.2}', 'layers[2].units: 128 -> 256']);
  // A layer replaced by one of another kind: removed and added.
  assert.deepEqual(diffConfigs({ layers: [dense(1), relu] }, { layers: [dense(1), { type: 'dropout', rate: 0.1 }, dense(2)] }).map(changeText), [
    'layers[1]: removed (was {"type":"activation","activation":"relu"})',
    'layers[1]: added {"type":"dropout","rate":0.1}',
    'layers[2]: added {"type":"dense","units":2}',
  ]);
  assert.deepEqual(diffConfigs({ a: 1, b: 2 }, { b: 3, c: 'x' }).map(changeText), ['a: removed (was 1)', 'b: 2 -> 3', 'c: added "x"']);
  assert.deepEqual(diffConfigs(1, [1]).map(changeText), [': 1 -> [1]']);
});

test('several configs: each field that differs from the first, with every config value', () => {
  const configs = [{ lr: 0.1, layers: [dense(1)] }, { lr: 0.1, layers: [dense(2)] }, { lr: 0.01, layers: [dense(1)], extra: true }];
  assert.deepEqual(differingFields(configs), [
    { path: 'layers[0].units', values: [1, 2, 1] },
    { path: 'lr', values: [0.1, 0.1, 0.01] },
    { path: 'extra', values: [undefined, undefined, true] },
  ]);
  assert.equal(pathText(['model', 'layers', 2, 'units']), 'model.layers[2].units');
  assert.equal(pathText(['a b', 'c']), '["a b"].c');
});
