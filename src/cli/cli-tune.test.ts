// `nnlab run` on a file with `tune:` end to end: the terminal summary, the JSON line of the contract, the report
// with the search's plots, continuing a finished study (runs nothing), --fresh, and bad input exiting 2 before
// any trial with nothing stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-tune-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };

function nnlab(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

const SEARCH = `name: cli-search
seed: 1
data: { dataset: mnist, subset: { perClass: 15 }, split: { fraction: 0.2 } }
model: { template: mlp, units: [16], initializer: { name: randomNormal, stddev: 0.05 } }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 3, batchSize: 30, metrics: [accuracy] }
tune:
  objective: val.accuracy
  sampler: { name: tpe, startupTrials: 2 }
  pruner: { name: asha, minEpochs: 1, reductionFactor: 3 }
  trials: 4
  space:
    model.initializer.stddev: { type: float, low: 0.01, high: 0.1 }
    training.optimizer.lr: { type: float, low: 0.001, high: 0.03, log: true }
`;

test('run a search: the summary, the JSON contract, the report, then a finished study runs nothing', () => {
  const f = file('search.yaml', SEARCH);
  const report = path.join(work, 'report');
  const r = nnlab(['run', f, '--json', '--no-bar', '--report', report]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Sampler tpe \(startupTrials 2, .*\); pruner asha \(minEpochs 1, reductionFactor 3/);
  assert.match(r.stderr, /Top 4 of 4 trials:/);
  assert.match(r.stderr, /Best trial: \d \(model\.initializer\.stddev = [\d.]+, training\.optimizer\.lr = [\d.]+\), Val accuracy [\d.]+ at epoch \d\. On the test set, evaluated once: .*accuracy [\d.]+/);
  const out = lastJson(r.stdout);
  const tune = out.tune;
  assert.equal(tune.sampler.name, 'tpe');
  assert.equal(tune.pruner.name, 'asha');
  assert.equal(tune.trials.length, 4);
  for (const t of tune.trials) {
    for (const k of ['number', 'state', 'params', 'value', 'epochs']) assert.ok(k in t, k);
    assert.ok(['completed', 'pruned'].includes(t.state), t.state);
    assert.deepEqual(Object.keys(t.params).sort(), ['model.initializer.stddev', 'training.optimizer.lr']);
  }
  const completed = tune.trials.filter((t: { state: string }) => t.state === 'completed');
  assert.equal(tune.best.value, Math.max(...completed.map((t: { value: number }) => t.value)));
  assert.equal(typeof tune.test.accuracy, 'number');
  assert.equal(typeof tune.test.loss, 'number');
  assert.equal(out.runs.length, 4);
  for (const name of ['report.html', 'summary.md', 'trials.csv', 'plots/optimization-history.svg', 'plots/parallel-coordinates.png', 'plots/slice-model-initializer-stddev.svg', 'plots/intermediate-values.svg']) {
    assert.ok(existsSync(path.join(report, name)), name);
  }
  const md = readFileSync(path.join(report, 'summary.md'), 'utf8');
  assert.match(md, /## Best trial/);
  assert.match(md, /\| Metric \| Validation \(best trial\) \| Test \(once\) \|/);
  assert.equal(readFileSync(path.join(report, 'trials.csv'), 'utf8').trim().split('\r\n').length, 5);

  const again = nnlab(['run', f, '--json', '--no-bar']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /continuing study \d+ \(cli-search\): 4 of 4 trials stored/);
  const second = lastJson(again.stdout);
  assert.deepEqual(second.tune.ran, []);
  assert.equal(second.study, out.study);
  assert.deepEqual(second.tune.best, tune.best);
  assert.deepEqual(second.tune.test, tune.test, 'the stored test score, not a second look at the test set');

  const fresh = nnlab(['run', f, '--json', '--no-bar', '--fresh', '--set', 'tune.trials=1']);
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.notEqual(lastJson(fresh.stdout).study, out.study);
  assert.match(fresh.stderr, /afresh \(--fresh\); study \d+ of this search is kept/);
});

test('bad search input exits 2 before any trial and stores nothing', async () => {
  const cases: [string, RegExp][] = [
    [SEARCH.replace('sampler: { name: tpe, startupTrials: 2 }', 'sampler: tpee'), /search-bad\.yaml:8: tune\.sampler: unknown sampler 'tpee' \(did you mean 'tpe'\?\)/],
    [SEARCH.replace('pruner: { name: asha, minEpochs: 1, reductionFactor: 3 }', 'pruner: hyperbnd'), /tune\.pruner: unknown pruner 'hyperbnd' \(did you mean 'hyperband'\?\)/],
    [SEARCH.replace('low: 0.01, high: 0.1 }', 'low: 0.1, high: 0.01 }'), /search-bad\.yaml:12: tune\.space\.model\.initializer\.stddev\.high: the range is inverted/],
    [SEARCH.replace('low: 0.001, high: 0.03, log: true', 'low: 0, high: 0.03, log: true'), /:13: tune\.space\.training\.optimizer\.lr\.low: a log-scaled parameter needs low > 0/],
    [SEARCH.replace('trials: 4', 'trials: 0'), /:10: tune\.trials: must be >= 1/],
    [SEARCH.replace('objective: val.accuracy', 'objective: val.f1'), /tune\.objective: the training never logs val\.f1 as a number/],
    [SEARCH.replace('model.initializer.stddev:', 'model.initialiser.stddev:'), /tune\.space\.model\.initialiser\.stddev: .*did you mean 'model\.initializer\.stddev'/],
  ];
  const storePath = path.join(work, 'bad.db');
  for (const [text, message] of cases) {
    const r = nnlab(['run', file('search-bad.yaml', text), '--store', storePath, '--no-bar']);
    assert.equal(r.status, 2, `${message}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const store = await openStore(storePath);
  assert.deepEqual(await store.listStudies(), []);
  await store.close();
});
