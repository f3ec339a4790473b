import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownReport, renderMarkdown } from './markdown.js';
import { summarizeStudy } from '../stats/index.js';
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
  assert.deepEqual(table.slice(2).map((r) => r[0]), ['Train accuracy', 'Val accuracy', 'Train loss', 'Val loss', 'Val accuracy 95% CI', 'Time (s)', 'Runs']);
  assert.deepEqual(table[3], ['Val accuracy', '0.9053 ± 0.0050', '0.8603 ± 0.0050', '0.8953']);
  assert.deepEqual(table[6], ['Val accuracy 95% CI', '[0.8923, 0.9171]', '[0.8475, 0.8724]', '—']);
  assert.deepEqual(table[7], ['Time (s)', '13.0 ± 1.0', '13.0 ± 1.0', '12.0']);
  assert.deepEqual(table[8], ['Runs', '3', '3', '1 (+1 diverged)']);
  assert.match(md, /on the logit scale, so it stays inside \[0, 1\]/);
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

test('configs that do not beat the best baseline on the study metric are flagged in every table', () => {
  const { runs, epochsByRun } = makeStudy();
  const baselines = [{ name: 'majority', val: { accuracy: 0.87 } }, { name: 'uniform', val: { accuracy: 0.1 } }];
  const summary = summarizeStudy(runs, epochsByRun, { baselines });
  assert.deepEqual(summary.baseline?.best, { name: 'majority', value: 0.87 });
  assert.deepEqual(summary.baseline?.configs, ['model.activation=sigmoid']);
  assert.deepEqual(summary.baseline?.runs, [4, 5, 6]);
  const md = markdownReport(summary, null);
  const table = tableAfter(md, '## Summary');
  assert.deepEqual(table.find((r) => r[0] === 'Beats best baseline'), ['Beats best baseline', 'yes', 'NO', 'yes']);
  assert.match(md, /The best baseline on Val accuracy is majority \(0\.8700\); not better than it: activation=sigmoid \(runs 4, 5, 6\)\./);
  const runsRows = tableAfter(md, '## Runs');
  assert.equal(runsRows[0].at(-1), '> baseline');
  assert.deepEqual(runsRows.slice(2).map((r) => r.at(-1)), ['yes', 'yes', 'yes', 'NO', 'NO', 'NO', 'yes', '—']);
});

test('a study ranked by loss is not judged on accuracy: the report says the baselines have no loss and flags nothing', () => {
  const { runs, epochsByRun } = makeStudy();
  const baselines = [{ name: 'majority', val: { accuracy: 0.87 } }, { name: 'uniform', val: { accuracy: 0.1 } }];
  const summary = summarizeStudy(runs, epochsByRun, { baselines, metric: 'val.loss' });
  assert.equal(summary.baseline?.metric, 'val.loss');
  const md = markdownReport(summary, null);
  assert.match(md, /No baseline has a Val loss value \(a baseline predicts classes, without probabilities, so it has no loss\): the configs are not checked against the baselines on Val loss, the metric the study ranks by\./);
  assert.ok(!tableAfter(md, '## Summary').some((r) => r[0] === 'Beats best baseline'));
  assert.notEqual(tableAfter(md, '## Runs')[0].at(-1), '> baseline');
  assert.doesNotMatch(md, /Val accuracy is majority/);
});

test('the report counts the looks at the test set: the study\'s own, and each explicit nnlab test after it', () => {
  const { runs, epochsByRun } = makeStudy();
  const study = { id: 3, name: 'acts', file: null, experiment: {}, createdAt: '2024-01-01T00:00:00Z', baselines: null, kind: 'study' as const, testLooks: [] as never[] };
  assert.doesNotMatch(markdownReport(summarizeStudy(runs, epochsByRun), study), /looked at/);
  const looks = [
    { target: 'model.activation=relu', trial: null, runIds: [1, 2, 3], how: 'final' as const, at: '2024-01-02T00:00:00Z' },
    { target: 'model.activation=sigmoid', trial: null, runIds: [4, 5, 6], how: 'explicit' as const, at: '2024-01-03T00:00:00Z' },
  ];
  const md = markdownReport(summarizeStudy(runs, epochsByRun), { ...study, testLooks: looks });
  assert.match(md, /Test set looked at 2 times: model\.activation=relu \(chosen on validation\), model\.activation=sigmoid \(nnlab test\)\./);
});
