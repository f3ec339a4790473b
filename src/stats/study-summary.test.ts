import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochsOf, summarizeStudy } from './study-summary.js';
import { makeStudy } from '../testing/run-fixtures.js';

test('a study summary bundles configs, the comparison and one analysis per run; epochs by Map or object', () => {
  const { runs, epochsByRun } = makeStudy();
  const s = summarizeStudy(runs, epochsByRun);
  assert.equal(s.configs.length, 3);
  assert.equal(s.comparison!.best.label, 'model.activation=relu');
  assert.deepEqual(s.runs.map((r) => r.runId), runs.map((r) => r.id));
  assert.equal(s.runs[0].epochs, 6);
  // The same from a plain object keyed by id, and JSON round-trips unchanged (plain data).
  const asObject = Object.fromEntries(epochsByRun);
  assert.deepEqual(summarizeStudy(runs, asObject), s);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  assert.deepEqual(epochsOf(epochsByRun, 999), []);
  // Options reach the comparison.
  assert.equal(summarizeStudy(runs, epochsByRun, { metric: 'val.loss' }).comparison!.direction, 'min');
});
