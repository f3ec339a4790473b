import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg, SCHEMA, svgToPng } from './render.js';
import { byClass, parseXml } from '../../testing/xml.js';

const spec = {
  $schema: SCHEMA,
  width: 200,
  height: 100,
  data: { values: [{ x: 'a', y: 1 }, { x: 'b', y: 3 }] },
  mark: 'bar',
  encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } },
} as TopLevelSpec;

test('a Vega-Lite spec renders headless to well-formed SVG with its marks', async () => {
  const svg = await renderSvg(spec);
  const { root, elements } = parseXml(svg);
  assert.equal(root.name, 'svg');
  assert.equal(byClass(elements, 'mark-rect', 'role-mark')[0].children.length, 2);
});

test('SVG rasterises to a PNG of the SVG size times the scale', async () => {
  const svg = await renderSvg(spec);
  const { root } = parseXml(svg);
  const png = await svgToPng(svg, 2);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 2 * Number(root.attrs.width));
  assert.equal(meta.height, 2 * Number(root.attrs.height));
});

test('plots never load data from outside', async () => {
  const remote = { ...spec, data: { url: 'https://example.com/data.json' } } as TopLevelSpec;
  await assert.rejects(renderSvg(remote), /carry their data inline/);
});
