// Many processes on one study, and the test set looked at once: four `nnlab run` of the same study file at
// once train each (config, repeat) exactly once and report the same statistics as one process; `nnlab worker`
// and `run --workers N` take a study file; a search extended after its test does not look at the test set again,
// and `nnlab test` is the explicit, counted way to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-claims-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

/** Runs the CLI in a child process; resolves with its exit code and output. */
function start(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: work, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `check` every 50 ms until it holds (at most a minute). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

const STUDY = `name: claims
seed: 3
repeats: 2
data: { dataset: mnist, subset: { perClass: 30 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [16] }
training: { optimizer: { name: adam, lr: 0.003 }, epochs: 20, batchSize: 1 }
study: { factors: { model.activation: [relu, sigmoid] } }
`;

/** The study's runs as (cell, repeat, status), sorted. */
async function claimsOf(storePath: string, studyId: number) {
  const store = await openStore(storePath);
  try {
    return (await store.listRuns({ studyId })).map((r) => `${r.cell}/${r.repeat} ${r.status}`).sort();
  } finally {
    await store.close();
  }
}

test('four `nnlab run` of one study at once: one study, each (config, repeat) trained once, the statistics of a clean study', async () => {
  const f = file('study.yaml', STUDY);
  const alone = path.join(work, 'alone.db');
  const clean = nnlab(['run', f, '--store', alone, '--json', '--no-bar']);
  assert.equal(clean.status, 0, clean.stderr);
  const expected = lastJson(clean.stdout).summary.map((c: { label: string; runIds: number[]; metrics: Record<string, { mean: number }> }) => [c.label, c.runIds.length, c.metrics['val.accuracy'].mean]);

  const shared = path.join(work, 'shared.db');
  // The first process opens the study; the other three start while its runs train, as processes started together
  // do (on a loaded machine a process started "at the same time" may arrive after the study ended: a new study).
  const args = ['run', f, '--store', shared, '--json', '--no-bar'];
  const first = start(args);
  await until(async () => {
    const store = await openStore(shared).catch(() => null);
    if (!store) return false;
    try {
      return (await store.listRuns()).length > 0;
    } finally {
      await store.close();
    }
  });
  const results = await Promise.all([first, ...Array.from({ length: 3 }, () => start(args))]);
  for (const r of results) assert.equal(r.code, 0, r.stderr.slice(-2000));
  const outs = results.map((r) => lastJson(r.stdout));
  assert.deepEqual(new Set(outs.map((o) => o.study)), new Set([outs[0].study]), 'every process reports the one study');
  const store = await openStore(shared);
  assert.equal((await store.listStudies()).length, 1);
  await store.close();
  assert.deepEqual(await claimsOf(shared, outs[0].study), ['0/0 completed', '0/1 completed', '1/0 completed', '1/1 completed']);
  for (const o of outs) {
    assert.equal(o.runs.length, 4);
    const got = o.summary.map((c: { label: string; runIds: number[]; metrics: Record<string, { mean: number }> }) => [c.label, c.runIds.length, c.metrics['val.accuracy'].mean]);
    assert.deepEqual(got, expected, 'n = 2 per config, and the means of the study run alone');
  }
});

test('`run --workers 2` and `nnlab worker` take a study file: the workers train its runs, the parent tests the chosen config once', () => {
  const f = file('workers.yaml', `${STUDY.replace('name: claims', 'name: claims-workers').replace('epochs: 20, batchSize: 1', 'epochs: 3, batchSize: 32')}evaluateTest: true\n`);
  const storePath = path.join(work, 'workers.db');
  const r = nnlab(['run', f, '--workers', '2', '--store', storePath, '--json', '--no-bar']);
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /2 of 2 workers ended normally/);
  const trainedByWorkers = [...r.stderr.matchAll(/\[worker \d\] worker \d+: trained (\d) runs? of study/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(trainedByWorkers, 4, 'the workers trained the four runs between them');
  const out = lastJson(r.stdout);
  assert.equal(out.runs.length, 4);
  assert.equal(out.finalTest.runs.length, 2, 'the two repeats of the chosen config');
  assert.equal(out.runs.filter((x: { metrics: { test?: unknown } }) => x.metrics.test).length, 2, 'only they saw the test set');

  const alone = nnlab(['worker', f, '--store', path.join(work, 'one-worker.db'), '--json', '--no-bar']);
  assert.equal(alone.status, 0, alone.stderr.slice(-2000));
  const w = lastJson(alone.stdout);
  assert.equal(w.ran.length, 4);
  const report = nnlab(['run', f, '--store', path.join(work, 'one-worker.db'), '--json', '--no-bar']);
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stderr, /continuing study \d+ \(claims-workers\): 4 of 4 runs done/);
  assert.equal(lastJson(report.stdout).study, w.study, 'nnlab run finishes the study the worker trained');
  assert.equal(lastJson(report.stdout).finalTest.runs.length, 2);
});

const SEARCH = (trials: number) => `name: looks
seed: 2
data: { dataset: mnist, subset: { perClass: 10 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [8] }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 2, batchSize: 30 }
evaluateTest: true
tune:
  sampler: { name: random, seed: 4 }
  trials: ${trials}
  space:
    training.optimizer.lr: { type: float, low: 0.0005, high: 0.05, log: true }
`;

test('a search extended after its test looks at the test set no more; `nnlab test --trial N` is an explicit look, counted, once per trial', async () => {
  const storePath = path.join(work, 'looks.db');
  const f = file('search.yaml', SEARCH(3));
  const first = nnlab(['run', f, '--store', storePath, '--json', '--no-bar']);
  assert.equal(first.status, 0, first.stderr);
  const before = lastJson(first.stdout);
  const testedTrial = before.tune.tested.trial;
  assert.equal(testedTrial, before.tune.best.number);
  const testedRuns = before.runs.filter((r: { metrics: { test?: unknown } }) => r.metrics.test).map((r: { id: number }) => r.id);
  assert.equal(testedRuns.length, 1);

  const extended = nnlab(['run', f, '--store', storePath, '--set', 'tune.trials=8', '--json', '--no-bar']);
  assert.equal(extended.status, 0, extended.stderr);
  const after = lastJson(extended.stdout);
  assert.equal(after.tune.trials.length, 8);
  assert.deepEqual(after.runs.filter((r: { metrics: { test?: unknown } }) => r.metrics.test).map((r: { id: number }) => r.id), testedRuns, 'no other trial saw the test set');
  assert.equal(after.tune.tested.trial, testedTrial);
  assert.equal(after.tune.testLooks.length, 1);
  const best = after.tune.best.number;
  assert.notEqual(best, testedTrial, 'the extended search found a better trial (the seeds make it so)');
  assert.match(extended.stderr, new RegExp(`Best trial: ${best} .*not evaluated on the test set: the study looked at the test set for trial ${testedTrial}.*nnlab test <study> --trial ${best}`));

  const other = [...Array(8).keys()].find((n) => n !== testedTrial && after.tune.trials[n].state === 'completed')!;
  const look = nnlab(['test', String(after.study), '--trial', String(other), '--store', storePath, '--json']);
  assert.equal(look.status, 0, look.stderr);
  const explicit = lastJson(look.stdout);
  assert.equal(explicit.looks.length, 2);
  assert.equal(explicit.look.how, 'explicit');
  assert.equal(typeof explicit.test.accuracy, 'number');
  assert.match(look.stderr, /test set looked at 2 times: trial \d \(chosen on validation\), trial \d \(nnlab test\)/);
  const again = nnlab(['test', String(after.study), '--trial', String(other), '--store', storePath]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, new RegExp(`has looked at the test set for trial ${other} already`));
  assert.equal(nnlab(['test', String(after.study), '--trial', String(testedTrial), '--store', storePath]).status, 2, 'nor the trial the study tested');
  assert.equal(nnlab(['test', String(after.study), '--trial', '99', '--store', storePath]).status, 2);
  assert.equal(nnlab(['test', String(after.study), '--store', storePath]).status, 2);
  const shown = nnlab(['run', f, '--store', storePath, '--set', 'tune.trials=8', '--no-bar']);
  assert.match(shown.stderr + shown.stdout, /The test set was looked at 2 times/);
});
