import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownReport, renderMarkdown } from './markdown.js';
import { summarizeStudy } from '../lab/stats/index.js';
import { makeStudy } from '../testing/run-fixtures.js';

test('a Markdown table: header, alignment rule, escaped pipes', () => {
  const md = renderMarkdown({ headers: ['', 'a|b'], rows: [['Val accuracy', '0.9 ± 0.1']], align: ['left', 'right'] });
  assert.equal(md, ['|  | a\\|b |', '| --- | ---: |', '| Val accuracy | 0.9 ± 0.1 |'].join('\n'));
});

/** The Markdown table starting at the line after `heading`'s first table line: its rows as cells. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l, i) => i > lines.indexOf(heading) && l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].slice(2, -2).split(' | '));
  return rows;
}

test("summary.md has the seeds' table: a column per config, accuracy and loss as mean ± std, time, runs", () => {
  const { runs, epochsByRun } = makeStudy();
  const md = markdownReport(summarizeStudy(runs, epochsByRun), null, [{ title: 'Overlay', file: 'plots/overlay.png' }]);
  const table = tableAfter(md, '## Summary');
  assert.deepEqual(table[0], ['', 'activation=relu', 'activation=sigmoid', 'activation=selu']);
  assert.deepEqual(table.slice(2).map((r) => r[0]), ['Train accuracy', 'Val accuracy', 'Train loss', 'Val loss', 'Time (s)', 'Runs']);
  assert.deepEqual(table[3], ['Val accuracy', '0.9053 ± 0.0050', '0.8603 ± 0.0050', '0.8953']);
  assert.deepEqual(table[6], ['Time (s)', '13.0 ± 1.0', '13.0 ± 1.0', '12.0']);
  assert.deepEqual(table[7], ['Runs', '3', '3', '1 (+1 diverged)']);
  // Every table line has the same number of cells as its header.
  for (const row of table) assert.equal(row.length, 4);
  const comparison = tableAfter(md, '## Comparison');
  assert.deepEqual(comparison[0], ['Config', 'n', 'Mean', 'Best − config', 't', 'df', 'p', 'Significant']);
  assert.equal(comparison[2][0], 'activation=sigmoid');
  assert.equal(comparison[2][7], 'yes (p < 0.05)');
  assert.equal(comparison[3][7], 'no test (n < 2)');
  const runsRows = tableAfter(md, '## Runs');
  assert.equal(runsRows.length, 2 + runs.length);
  assert.match(md, /!\[Overlay\]\(plots\/overlay\.png\)/);
  assert.match(md, /^# nnlab report$/m);
});
