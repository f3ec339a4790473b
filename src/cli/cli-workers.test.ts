// Many workers on one search: `nnlab run --workers 8` on SQLite and on PostgreSQL (a real server started by the
// test) runs exactly the budget's trials, none twice and none lost; a SIGKILLed worker's trial is marked crashed
// within the grace period (+2 s) and queued again once with its parameters, and the retry completes; a worker
// whose file differs from the search is refused, naming the differing fields.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore, type RunStore } from '../store/index.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-workers-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
let server: PostgresServer | undefined;
after(async () => server?.stop());

function nnlab(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

const SEARCH = (trials: number, epochs = 1) => `name: many-workers
seed: 2
data: { dataset: mnist, subset: { perClass: 4 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [4] }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: ${epochs}, batchSize: 30 }
tune:
  sampler: tpe
  trials: ${trials}
  space:
    training.optimizer.lr: { type: float, low: 0.001, high: 0.05, log: true }
    model.units: { type: choice, values: [[4], [8]] }
`;

/** Every trial of the study's runs once, numbered 0..n-1, all completed. */
async function checkTrials(store: RunStore, studyId: number, n: number): Promise<void> {
  const runs = await store.listRuns({ studyId });
  const numbers = runs.map((r) => r.trial).sort((a, b) => a! - b!);
  assert.equal(runs.length, n, `${runs.length} runs`);
  assert.deepEqual(numbers, Array.from({ length: n }, (_, i) => i), 'trial numbers 0..n-1, none twice, none lost');
  assert.deepEqual([...new Set(runs.map((r) => r.status))], ['completed']);
}

async function manyWorkers(storeArg: string, diagnostic: (m: string) => void): Promise<void> {
  const t0 = Date.now();
  const f = file(`search-${Math.random().toString(36).slice(2)}.yaml`, SEARCH(160));
  const r = nnlab(['run', f, '--workers', '8', '--store', storeArg, '--json']);
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /starting 8 workers on study \d+/);
  assert.match(r.stderr, /8 of 8 workers ended normally/);
  const out = lastJson(r.stdout);
  assert.equal(out.tune.trials.length, 160);
  assert.deepEqual(out.tune.ran, [], 'the workers ran every trial; the parent only reports');
  const workersThatRan = new Set((r.stderr.match(/\[worker (\d+)\] worker \d+: ran [1-9]\d* trial/g) ?? []).map((m) => m.split(']')[0]));
  assert.ok(workersThatRan.size >= 2, `trials were shared between workers: ${[...workersThatRan].join(', ')}`);
  const store = await openStore(storeArg);
  try {
    await checkTrials(store, out.study, 160);
    const tested = (await store.listRuns({ studyId: out.study })).filter((run) => run.metrics.test);
    assert.equal(tested.length, 1, 'the best trial alone saw the test set, once');
    diagnostic(`160 trials by 8 workers in ${((Date.now() - t0) / 1000).toFixed(1)} s (start-up and reporting included); ${workersThatRan.size} workers ran trials`);
  } finally {
    await store.close();
  }
}

test('8 workers x 20 trials on SQLite: exactly 160 distinct trials, none lost, none twice', async (t) => {
  await manyWorkers(path.join(work, 'many.db'), (m) => t.diagnostic(m));
});

test('8 workers x 20 trials on PostgreSQL: exactly 160 distinct trials, none lost, none twice', async (t) => {
  server = await startPostgres();
  await manyWorkers(await server.createDatabase('nnlab_workers'), (m) => t.diagnostic(m));
});

test('a SIGKILLed worker: its trial is crashed within grace + 2 s, queued again once with its parameters, and the retry completes', async (t) => {
  const storePath = path.join(work, 'kill.db');
  const f = file('kill.yaml', SEARCH(2, 200).replace('perClass: 4', 'perClass: 10'));
  const worker = spawn(process.execPath, [cli, 'worker', f, '--store', storePath, '--no-bar', '--heartbeat', '0.3', '--grace', '2'], { cwd: work, env, stdio: 'ignore' });
  const store = await openStore(storePath);
  let killedAt = 0;
  try {
    // Kill it once its first trial has trained a few epochs.
    for (let i = 0; i < 600 && killedAt === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const running = (await store.listRuns({ status: 'running' }))[0];
      if (running && (await store.getEpochs(running.id)).length >= 3) {
        worker.kill('SIGKILL');
        killedAt = Date.now();
      }
    }
    assert.ok(killedAt > 0, 'the worker started a trial');
    await new Promise((r) => worker.once('close', r));
    const r = nnlab(['run', f, '--store', storePath, '--no-bar', '--json', '--heartbeat', '0.3', '--grace', '2', '--set', 'training.epochs=200']);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const runs = await store.listRuns();
    const crashed = runs.filter((x) => x.status === 'crashed');
    assert.equal(crashed.length, 1, runs.map((x) => `${x.trial}:${x.status}`).join(' '));
    assert.match(crashed[0].message!, /no heartbeat for over 2 s/);
    const detectedS = (Date.parse(crashed[0].endedAt!) - killedAt) / 1000;
    assert.ok(detectedS <= 2 + 2, `crashed ${detectedS.toFixed(2)} s after the kill`);
    t.diagnostic(`the killed worker's trial was marked crashed ${detectedS.toFixed(2)} s after the SIGKILL (grace 2 s, heartbeat 0.3 s)`);
    const retry = runs.filter((x) => x.retryOf === crashed[0].trial);
    assert.equal(retry.length, 1, 'queued again once');
    assert.deepEqual(retry[0].values, crashed[0].values, 'with the same parameters');
    assert.equal(retry[0].status, 'completed');
    const out = lastJson(r.stdout);
    assert.deepEqual(out.tune.trials.map((t: { state: string }) => t.state).sort(), ['completed', 'completed', 'crashed']);
  } finally {
    worker.kill('SIGKILL');
    await store.close();
  }
});

test('a worker whose file differs from the open search of its name is refused, naming the fields', async () => {
  const storePath = path.join(work, 'differ.db');
  const f = file('differ.yaml', SEARCH(1));
  assert.equal(nnlab(['run', f, '--store', storePath]).status, 0);
  const r = nnlab(['worker', f, '--store', storePath, '--set', 'training.batchSize=20', '--set', 'seed=9']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /differs from search \d+ \(many-workers\) in seed, training\.batchSize; a worker joins a search only with the same experiment/);
  const more = nnlab(['worker', f, '--store', storePath, '--set', 'tune.trials=2', '--json']);
  assert.equal(more.status, 0, 'a larger budget is the same search');
  assert.deepEqual(lastJson(more.stdout).ran, [1]);
});
