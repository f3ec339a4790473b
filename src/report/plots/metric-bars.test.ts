import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricBarsSpec } from './metric-bars.js';
import { renderSvg } from './render.js';
import { byClass, parseXml } from '../../testing/xml.js';

/** Renders and checks that Vega-Lite and Vega had nothing to warn about. */
async function render(spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, warnings);
  assert.deepEqual(warnings, []);
  return svg;
}

test('bars at the means with CI error bars; a config without a CI gets no error bar', async () => {
  const bars = [
    { config: 'relu', mean: 0.91, low: 0.9, high: 0.92, n: 3 },
    { config: 'sigmoid', mean: 0.86, low: 0.85, high: 0.87, n: 3 },
    { config: 'selu', mean: 0.9, low: null, high: null, n: 1 },
  ];
  const { elements } = parseXml(await render(metricBarsSpec(bars, 'Val accuracy', 'Val accuracy by config')));
  const rects = byClass(elements, 'mark-rect', 'role-mark').find((g) => g.children[0].attrs['aria-roledescription'] === 'bar')!;
  assert.equal(rects.children.length, 3);
  const rules = byClass(elements, 'mark-rule', 'role-mark');
  assert.equal(rules.length, 1);
  assert.equal(rules[0].children.length, 2); // relu and sigmoid only
  assert.ok(rules[0].children[0].attrs['aria-label'].includes('low: 0.9'));
  // Bar lengths are proportional to the means (x scale from zero).
  const width = (d: string) => Number(/h([\d.]+)/.exec(d)![1]);
  const [w1, w2] = rects.children.map((c) => width(c.attrs.d));
  assert.ok(Math.abs(w1 / w2 - 0.91 / 0.86) < 1e-6, `${w1} / ${w2}`);
  const texts = byClass(elements, 'mark-text', 'role-mark')[0].children.map((c) => c.text);
  assert.deepEqual(texts, ['0.9100', '0.8600', '0.9000']);
});
