import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminal, terminalSummary } from './terminal.js';
import { summarizeStudy } from '../stats/index.js';
import { makeStudy } from '../testing/run-fixtures.js';

test('a terminal table pads columns, right-aligns numbers and rules the header', () => {
  const text = renderTerminal({ headers: ['Config', 'n'], rows: [['relu', '3'], ['sigmoid', '12']], align: ['left', 'right'] });
  assert.equal(text, ['Config    n', '───────  ──', 'relu      3', 'sigmoid  12'].join('\n'));
});

test('the study summary: a row per config, the best marked, p-values with significance, the sentence', () => {
  const { runs, epochsByRun } = makeStudy();
  const text = terminalSummary(summarizeStudy(runs, epochsByRun));
  const lines = text.split('\n');
  assert.match(lines[0], /^Config\s+n\s+Val accuracy\s+95% CI\s+Val loss\s+Time \(s\)\s+p vs best$/);
  assert.match(lines[2], /^activation=relu\s+3\s+0\.9053 ± 0\.0050\s+\[0\.8923, 0\.9171\].*\s+best$/);
  assert.match(lines[3], /^activation=sigmoid\s+3\s+0\.8603 ± 0\.0050.*\s0\.0004 \*$/);
  assert.match(lines[4], /^activation=selu\s+1\s+0\.8953\s+—.*no test$/);
  assert.match(text, /Best: activation=relu, highest mean Val accuracy \(0\.9053, n = 3\)\. Welch's t-test/);
  assert.match(text, /1 comparison not tested: a test needs at least 2 runs per config/);
  // Every row is as wide as the header rule (aligned columns).
  const width = [...lines[1]].length;
  for (const l of lines.slice(0, 5)) assert.ok([...l].length <= width);
  assert.equal([...lines[2]].length, width);
});
