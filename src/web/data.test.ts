// What the compare page shows of two configs: the fields that differ, found by descending into lists (layers),
// not a whole list as one JSON line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configDiff } from './data.js';
import { comparePage } from './pages/compare.js';
import { makeRun } from '../testing/run-fixtures.js';

const layers = (units: number, dropout: boolean) => [
  { type: 'dense', units: 512, activation: 'relu' },
  ...(dropout ? [{ type: 'dropout', rate: 0.2 }] : []),
  { type: 'dense', units, activation: 'relu' },
  { type: 'dense', units: 10 },
];
const config = (units: number, dropout: boolean, shuffle: boolean) => ({ model: { layers: layers(units, dropout) }, training: { shuffle, epochs: 5 } });

test('configDiff names the changed layer field and the added layer, with each run value', () => {
  const runs = [makeRun({ id: 2, seed: 1, config: config(128, false, true) }), makeRun({ id: 3, seed: 1, config: config(256, true, false) })];
  assert.deepEqual(configDiff(runs), [
    { path: 'model.layers[1]', values: [null, '{"type":"dropout","rate":0.2}'] },
    { path: 'model.layers[2].units', values: ['128', '256'] },
    { path: 'training.shuffle', values: ['true', 'false'] },
  ]);
  // Seeds differ: a field like any other.
  assert.deepEqual(configDiff([makeRun({ id: 4, seed: 1, config: config(128, false, true) }), makeRun({ id: 5, seed: 2, config: config(128, false, true) })]), [{ path: 'seed', values: ['1', '2'] }]);
});

test('the compare page lists those fields, one a row, and never the whole layer list', () => {
  const runs = [makeRun({ id: 2, config: config(128, false, true) }), makeRun({ id: 3, config: config(256, false, true) })];
  const body = comparePage(runs, configDiff(runs), [], { store: 'test', token: null });
  const diff = /<section id="diff">([\s\S]*?)<\/section>/.exec(body)![1];
  assert.match(diff, /<code>model\.layers\[1\]\.units<\/code><\/td><td>128<\/td><td>256<\/td>/);
  assert.doesNotMatch(diff, /&quot;type&quot;/, 'no layer dumped as JSON');
});
