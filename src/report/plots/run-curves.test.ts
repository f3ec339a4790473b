import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvePoints, runCurvesSpec } from './run-curves.js';
import { renderSvg } from './render.js';
import { makeEpochs } from '../../testing/run-fixtures.js';
import { byClass, parseXml } from '../../testing/xml.js';

/** Renders and checks that Vega-Lite and Vega had nothing to warn about. */
async function render(spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, warnings);
  assert.deepEqual(warnings, []);
  return svg;
}

const epochs = makeEpochs({ trainAcc: [0.5, 0.7, 0.8], trainLoss: [1, 0.6, 0.4], valAcc: [0.45, 0.65, 0.75], valLoss: [1.1, 0.7, NaN] });

test('curve points: 1-based epochs, train and validation, non-finite values dropped', () => {
  const points = curvePoints(epochs, ['accuracy', 'loss']);
  assert.equal(points.length, 11); // 3 epochs × 2 metrics × 2 splits, minus the NaN
  assert.deepEqual(points[0], { epoch: 1, metric: 'accuracy', split: 'train', value: 0.5 });
  assert.ok(!points.some((p) => p.metric === 'loss' && p.split === 'validation' && p.epoch === 3));
});

test('a run plot has an accuracy and a loss panel, training solid and validation dashed', async () => {
  const { elements } = parseXml(await render(runCurvesSpec(epochs, 'Run 1')));
  const lines = byClass(elements, 'mark-line', 'role-mark').map((g) => g.children[0]);
  assert.equal(lines.length, 4);
  for (const line of lines) {
    const validation = line.attrs['aria-label'].includes('Split: validation');
    assert.equal(line.attrs['stroke-dasharray'], validation ? '6,4' : '1,0');
  }
  const axisText = elements.filter((e) => e.name === 'text').map((e) => e.text);
  assert.ok(axisText.includes('Accuracy') && axisText.includes('Loss') && axisText.includes('Epoch'), `texts: ${axisText}`);
  assert.ok(axisText.includes('Run 1'));
});

test('without accuracy (regression) the plot has the loss panel only', async () => {
  const { elements } = parseXml(await render(runCurvesSpec(makeEpochs({ trainLoss: [1, 0.5], valLoss: [1.2, 0.6] }), 'r')));
  assert.equal(byClass(elements, 'mark-line', 'role-mark').length, 2);
  assert.ok(!elements.some((e) => e.name === 'text' && e.text === 'Accuracy'));
});
