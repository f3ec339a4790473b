import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCurves, overlaySpec } from './overlay.js';
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

// Config a: two runs, the second stopped after 2 epochs; config b: one run.
const groups = new Map([
  ['a', [makeEpochs({ trainAcc: [0.5, 0.7, 0.8], trainLoss: [1, 0.6, 0.4], valAcc: [0.4, 0.6, 0.7], valLoss: [1.1, 0.7, 0.5] }),
    makeEpochs({ trainAcc: [0.6, 0.9], trainLoss: [0.8, 0.4], valAcc: [0.5, 0.8], valLoss: [0.9, 0.5] })]],
  ['b', [makeEpochs({ trainAcc: [0.3, 0.4, 0.5], trainLoss: [2, 1.5, 1.2], valAcc: [0.3, 0.35, 0.45], valLoss: [2.1, 1.6, 1.3] })]],
]);

test('mean curves average the runs that reached each epoch', () => {
  const points = meanCurves(groups, ['accuracy', 'loss']);
  const at = (config: string, epoch: number, metric: string, split: string) => points.find((p) => p.config === config && p.epoch === epoch && p.metric === metric && p.split === split)!;
  assert.ok(Math.abs(at('a', 2, 'accuracy', 'train').value - 0.8) < 1e-12);
  assert.equal(at('a', 2, 'accuracy', 'train').runs, 2);
  assert.equal(at('a', 3, 'accuracy', 'validation').value, 0.7);
  assert.equal(at('a', 3, 'accuracy', 'validation').runs, 1);
  assert.equal(at('b', 1, 'loss', 'validation').value, 2.1);
  assert.equal(points.length, 2 * 3 * 2 * 2); // configs × epochs × metrics × splits
});

test('the overlay draws one colour per config, training solid and validation dashed', async () => {
  const { elements } = parseXml(await render(overlaySpec(groups, 'Overlay')));
  const lines = byClass(elements, 'mark-line', 'role-mark').map((g) => g.children[0]);
  assert.equal(lines.length, 8); // 2 configs × 2 splits × 2 panels
  const colour = (config: string) => new Set(lines.filter((l) => l.attrs['aria-label'].includes(`Config: ${config};`)).map((l) => l.attrs.stroke));
  assert.equal(colour('a').size, 1);
  assert.equal(colour('b').size, 1);
  assert.notDeepEqual([...colour('a')], [...colour('b')]);
  for (const l of lines) assert.equal(l.attrs['stroke-dasharray'], l.attrs['aria-label'].includes('Split: validation') ? '6,4' : '1,0');
  const legend = elements.filter((e) => e.name === 'text').map((e) => e.text);
  assert.ok(legend.includes('Config') && legend.includes('a') && legend.includes('b'));
});
