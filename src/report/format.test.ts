import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ci, configNames, meanStd, metricTitle, num, pValue, slug, visible, visibleLines } from './format.js';
import { escapeHtml } from './html.js';

test('numbers, mean ± std, CIs and p-values', () => {
  assert.equal(num(0.912345), '0.9123');
  assert.equal(num(null), '—');
  assert.equal(num(NaN), '—');
  assert.equal(meanStd({ n: 2, mean: 0.9, std: 0.01, ci95: [0.8, 1], ciMethod: 't' as const }), '0.9000 ± 0.0100');
  assert.equal(meanStd({ n: 1, mean: 0.9, std: null, ci95: null, ciMethod: 't' as const }), '0.9000');
  assert.equal(meanStd(undefined), '—');
  assert.equal(ci({ n: 2, mean: 0.9, std: 0.01, ci95: [0.81, 0.99], ciMethod: 't' as const }), '[0.8100, 0.9900]');
  assert.equal(pValue(0.0794), '0.0794');
  assert.equal(pValue(3e-7), '< 0.0001');
  assert.equal(pValue(null), '—');
  assert.equal(metricTitle('val.accuracy'), 'Val accuracy');
  assert.equal(metricTitle('test.f1Macro'), 'Test f1Macro');
});

test('config names: last path segments of the factors, full labels where ambiguous', () => {
  const c = (label: string, values: Record<string, unknown>) => ({ label, values });
  assert.deepEqual(
    configNames([c('model.activation=relu, training.optimizer.lr=0.01', { 'model.activation': 'relu', 'training.optimizer.lr': 0.01 })]),
    ['activation=relu, lr=0.01'],
  );
  assert.deepEqual(configNames([c('', {})]), ['run']);
  // Two factors ending in the same segment: the full label.
  assert.deepEqual(configNames([c('a.units=1, b.units=2', { 'a.units': 1, 'b.units': 2 })]), ['a.units=1, b.units=2']);
  // Non-string values are shown as JSON.
  assert.deepEqual(configNames([c('x', { 'model.layers': [64, 32] })]), ['layers=[64,32]']);
  assert.equal(slug('Val accuracy / test'), 'val-accuracy-test');
});

test('visible writes control characters out and leaves other text alone', () => {
  assert.equal(visible('re\x07lu\x1b[31m'), 're\\x07lu\\x1b[31m');
  assert.equal(visible('a\nb\tc\rd\x00\x7f\x9b'), 'a\\nb\\tc\\rd\\x00\\x7f\\x9b');
  assert.equal(visible('\ufffe \ud800 \udc00x'), '\\ufffe \\ud800 \\udc00x');
  assert.equal(visible('café ± 😀 [64,32] a\\b'), 'café ± 😀 [64,32] a\\b');
  // Text laid out in lines (a config in a <pre>) keeps them; HTML escaping does the same.
  assert.equal(visibleLines('model:\n  name: a\x07\r\n'), 'model:\n  name: a\\x07\\r\n');
  assert.equal(escapeHtml('units:\n  - 32 <b>\x1b'), 'units:\n  - 32 &lt;b&gt;\\x1b');
  assert.deepEqual(configNames([{ label: 'model.activation=a\x07', values: { 'model.activation': 'a\x07' } }, { label: 'x', values: { 'model.activation': 'b' } }]), [
    'activation=a\\x07',
    'activation=b',
  ]);
});
