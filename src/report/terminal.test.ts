import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminal, terminalSummary } from './terminal.js';
import { summarizeStudy } from '../stats/index.js';
import { makeRun, makeStudy } from '../testing/run-fixtures.js';
import { markdownReport } from './markdown.js';

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

test('compare of runs outside a study names the configs by the fields that differ and lists the changes', () => {
  const cfg = (shuffle: boolean, normalize: string, units: number) => ({
    data: { preprocess: { normalize } },
    training: { shuffle },
    model: { layers: [{ type: 'dense', units }, { type: 'dense', units: 10 }] },
  });
  const runs = [
    makeRun({ id: 2, studyId: null, config: cfg(true, 'standard', 128), metrics: { val: { accuracy: 0.9, loss: 0.3 } } }),
    makeRun({ id: 3, studyId: null, config: cfg(false, 'none', 256), metrics: { val: { accuracy: 0.8, loss: 0.5 } } }),
  ];
  const summary = summarizeStudy(runs, new Map());
  const text = terminalSummary(summary);
  assert.match(text, /^normalize=standard, shuffle=true, units=128\s+1\s+0\.9000/m);
  assert.match(text, /^normalize=none, shuffle=false, units=256\s+1\s+0\.8000/m);
  assert.doesNotMatch(text, /^run \d/m);
  assert.ok(text.includes([
    'How each config differs from normalize=standard, shuffle=true, units=128 (run 2):',
    '  normalize=none, shuffle=false, units=256:',
    '    data.preprocess.normalize: "standard" -> "none"',
    '    training.shuffle: true -> false',
    '    model.layers[0].units: 128 -> 256',
  ].join('\n')), text);
  assert.match(markdownReport(summary, null), /^ {2}- `model\.layers\[0\]\.units: 128 -> 256`$/m);
  // A study's own configs have no such list.
  assert.doesNotMatch(terminalSummary(summarizeStudy(makeStudy().runs, new Map())), /How each config differs/);
});
