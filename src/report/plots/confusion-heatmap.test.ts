import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionCells, confusionSpec, sumMatrices } from './confusion-heatmap.js';
import { renderSvg } from './render.js';
import { byClass, parseXml } from '../../testing/xml.js';
import { NnlabError } from '../../engine/errors.js';

/** Renders and checks that Vega-Lite and Vega had nothing to warn about. */
async function render(spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, warnings);
  assert.deepEqual(warnings, []);
  return svg;
}

const m = [[8, 2, 0], [1, 9, 0], [0, 0, 0]];

test('cells: rows are true classes, columns predicted, share is the row fraction', () => {
  const cells = confusionCells(m, ['cat', 'dog', 'fox']);
  assert.equal(cells.length, 9);
  assert.deepEqual(cells[1], { truth: 'cat', predicted: 'dog', count: 2, share: 0.2 });
  assert.deepEqual(cells[8], { truth: 'fox', predicted: 'fox', count: 0, share: 0 }); // an empty row
  assert.deepEqual(sumMatrices([m, m], 'x')[0], [16, 4, 0]);
});

test('bad matrices and class names are errors naming where', () => {
  assert.throws(() => confusionCells([[1, 2]], undefined, 'run 3'), (e: unknown) => e instanceof NnlabError && /run 3: .*square/.test(e.message));
  assert.throws(() => confusionCells(m, ['a', 'b'], 'run 3'), /run 3: 2 class names for a 3×3 matrix/);
  assert.throws(() => sumMatrices([m, [[1, 0], [0, 1]]], 'relu'), /relu: confusion matrices of different sizes/);
});

test('the heatmap has a cell and a count label per matrix entry', async () => {
  const { elements } = parseXml(await render(confusionSpec(m, 'Confusion', ['cat', 'dog', 'fox'])));
  const rects = byClass(elements, 'mark-rect', 'role-mark')[0];
  assert.equal(rects.children.length, 9);
  const labels = byClass(elements, 'mark-text', 'role-mark')[0].children;
  assert.deepEqual(labels.map((l) => l.text), ['8', '2', '0', '1', '9', '0', '0', '0', '0']);
  // Dark cells (share > 0.5) get white text.
  assert.equal(labels[0].attrs.fill, 'white');
  assert.equal(labels[1].attrs.fill, 'black');
  const axis = elements.filter((e) => e.name === 'text').map((e) => e.text);
  assert.ok(axis.includes('Predicted class') && axis.includes('True class') && axis.includes('dog'));
});
