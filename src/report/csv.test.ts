import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runsCsv, summaryCsv, toCsv } from './csv.js';
import { summarizeStudy } from '../stats/index.js';
import { makeStudy } from '../testing/run-fixtures.js';
import { parseCsv } from '../testing/csv.js';

test('fields with commas, quotes and line breaks are quoted; missing values are empty', () => {
  const text = toCsv([['a', 'b,c', 'say "hi"', 'x\ny', null, NaN, 1.5, true]]);
  assert.equal(text, 'a,"b,c","say ""hi""","x\ny",,,1.5,true\r\n');
  assert.deepEqual(parseCsv(text), [['a', 'b,c', 'say "hi"', 'x\ny', '', '', '1.5', 'true']]);
});

test('runs.csv: a header and one row per run, factor and metric columns, full precision', () => {
  const { runs, epochsByRun } = makeStudy();
  const rows = parseCsv(runsCsv(runs, summarizeStudy(runs, epochsByRun)));
  assert.equal(rows.length, 1 + runs.length);
  const header = rows[0];
  for (const col of ['run_id', 'config', 'model.activation', 'seed', 'status', 'best_epoch', 'epochs_to_95', 'val.accuracy', 'accuracy_gap', 'wall_time_s']) {
    assert.ok(header.includes(col), `missing column ${col}`);
  }
  for (const row of rows) assert.equal(row.length, header.length);
  const get = (r: number, col: string) => rows[r][header.indexOf(col)];
  assert.equal(get(1, 'config'), 'model.activation=relu');
  assert.equal(get(1, 'model.activation'), 'relu');
  assert.equal(Number(get(1, 'val.accuracy')), runs[0].metrics.val!.accuracy);
  assert.equal(get(8, 'status'), 'diverged');
  assert.equal(get(8, 'val.accuracy'), '');
});

test('summary.csv: one row per config with mean, std, CI and the comparison', () => {
  const { runs, epochsByRun } = makeStudy();
  const summary = summarizeStudy(runs, epochsByRun);
  const rows = parseCsv(summaryCsv(summary));
  assert.equal(rows.length, 1 + 3);
  const header = rows[0];
  const get = (r: number, col: string) => rows[r][header.indexOf(col)];
  assert.equal(get(1, 'config'), 'model.activation=relu');
  assert.equal(get(1, 'n'), '3');
  assert.equal(Number(get(1, 'val.accuracy_mean')), summary.configs[0].metrics['val.accuracy'].mean);
  assert.equal(Number(get(1, 'val.accuracy_ci95_low')), summary.configs[0].metrics['val.accuracy'].ci95![0]);
  assert.equal(get(1, 'is_best'), 'true');
  assert.equal(get(2, 'significant'), 'true');
  assert.equal(Number(get(2, 'p')), summary.comparison!.tests[0].p);
  assert.equal(get(3, 'excluded'), '1');
  assert.equal(get(3, 'p'), ''); // n < 2: no test
  assert.equal(get(3, 'val.accuracy_std'), '');
});
