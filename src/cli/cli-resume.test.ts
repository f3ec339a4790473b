// `nnlab resume <run>` end to end: a run interrupted by Ctrl-C, or SIGKILLed and found crashed, continues from its
// newest epoch checkpoint and ends with exactly the epochs, metrics and weights of the same run left alone; a
// completed run, one without a checkpoint and one with a corrupt checkpoint are refused with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-resume-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

const RUN = `name: resumable
seed: 4
data: { dataset: mnist, subset: { perClass: 30 }, split: { fraction: 0.2 } }
model: { template: mlp, units: [32], dropout: 0.3 }
training:
  optimizer: { name: adam, lr: 0.003 }
  epochs: 14
  batchSize: 16
  callbacks: [{ name: reduceLROnPlateau, monitor: val_loss, patience: 1, factor: 0.5 }, { name: earlyStopping, monitor: val_loss, patience: 30, restoreBestWeights: true }]
evaluateTest: true
`;
const file = path.join(work, 'run.yaml');
writeFileSync(file, RUN);

/** Starts `nnlab run`, and once its run has `epochs` epochs stored sends `signal`; returns the run id. */
async function interrupted(storePath: string, signal: NodeJS.Signals, epochs: number, experiment = file): Promise<number> {
  const child = spawn(process.execPath, [cli, 'run', experiment, '--store', storePath, '--no-bar', '--heartbeat', '0.3'], { cwd: work, env, stdio: 'ignore' });
  const closed = new Promise((r) => child.once('close', r));
  let id = 0;
  for (let i = 0; i < 600 && id === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(storePath)) continue;
    const store = await openStore(storePath);
    try {
      const run = (await store.listRuns())[0];
      if (run && (await store.getEpochs(run.id)).length >= epochs) {
        child.kill(signal);
        id = run.id;
      }
    } finally {
      await store.close();
    }
  }
  await closed;
  assert.ok(id > 0, 'the run trained some epochs');
  return id;
}

/** The checkpoint folder of a run of the store at `storePath` (under the store's own artifacts folder). */
async function checkpointsOf(storePath: string, runId: number): Promise<string> {
  const store = await openStore(storePath);
  try {
    return path.join(work, '.nnlab', 'artifacts', await store.storeId(), `run-${runId}.checkpoints`);
  } finally {
    await store.close();
  }
}

/** The run's epochs and final metrics, and its weights file's bytes. */
async function outcome(storePath: string, id: number) {
  const store = await openStore(storePath);
  try {
    const run = (await store.getRun(id))!;
    const weights = (await store.listArtifacts({ runId: id })).find((a) => a.kind === 'weights')!.path;
    const epochs = (await store.getEpochs(id)).map(({ timeS, trainTimeS, samplesPerS, ...rest }) => rest);
    return { status: run.status, metrics: run.metrics, epochs, weights: readFileSync(path.join(weights, 'weights.safetensors')) };
  } finally {
    await store.close();
  }
}

test('a run interrupted by Ctrl-C, or SIGKILLed, resumes to exactly the epochs, metrics and weights of the run left alone', async () => {
  const whole = path.join(work, 'whole.db');
  const r = nnlab(['run', file, '--store', whole, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const reference = await outcome(whole, lastJson(r.stdout).runs[0].id);
  assert.ok(reference.epochs.length >= 6, `${reference.epochs.length} epochs`);

  const ctrlC = path.join(work, 'ctrl-c.db');
  const id = await interrupted(ctrlC, 'SIGINT', 3);
  const store = await openStore(ctrlC);
  assert.equal((await store.getRun(id))?.status, 'interrupted');
  await store.close();
  const resumed = nnlab(['resume', String(id), '--store', ctrlC, '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming run ${id} after epoch \\d+`));
  const out = lastJson(resumed.stdout);
  assert.equal(out.runs[0].id, id);
  assert.equal(out.runs[0].epochs, reference.epochs.length);
  const after = await outcome(ctrlC, id);
  assert.deepEqual(after.epochs, reference.epochs, 'every epoch log as in the run left alone');
  assert.deepEqual(after.metrics, reference.metrics);
  assert.ok(after.weights.equals(reference.weights), 'the same weights, byte for byte');
  const again = nnlab(['resume', String(id), '--store', ctrlC]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, new RegExp(`run ${id} is (completed|stopped).*only an interrupted or crashed run can be resumed`));

  const killed = path.join(work, 'killed.db');
  const k = await interrupted(killed, 'SIGKILL', 4);
  const early = nnlab(['resume', String(k), '--store', killed, '--grace', '30']);
  assert.equal(early.status, 2, 'a run with a recent heartbeat may still be training elsewhere');
  assert.match(early.stderr, /is running: its heartbeat is recent/);
  await new Promise((res) => setTimeout(res, 1500));
  const late = nnlab(['resume', String(k), '--store', killed, '--grace', '1', '--json']);
  assert.equal(late.status, 0, late.stderr);
  const afterKill = await outcome(killed, k);
  assert.deepEqual(afterKill.epochs, reference.epochs);
  assert.ok(afterKill.weights.equals(reference.weights));
});

test('resume skips a corrupt newest checkpoint for the one before, naming it; with none usable, or none at all, it refuses with exit 2 and changes nothing', async () => {
  const storePath = path.join(work, 'bad.db');
  const id = await interrupted(storePath, 'SIGINT', 3);
  const folder = await checkpointsOf(storePath, id);
  const corrupt = (name: string) => {
    const weights = readdirSync(path.join(folder, name)).find((n) => n.endsWith('.safetensors'))!;
    const target = path.join(folder, name, weights);
    const bytes = readFileSync(target);
    bytes[bytes.length - 1] ^= 0x55;
    writeFileSync(target, bytes);
  };
  const checkpoints = readdirSync(folder).filter((n) => n.startsWith('epoch-')).sort();
  assert.ok(checkpoints.length >= 2, `two checkpoints kept: ${checkpoints.join(', ')}`);
  for (const name of checkpoints) corrupt(name);
  const none = nnlab(['resume', String(id), '--store', storePath]);
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /cannot be resumed: none of its checkpoints is usable \(epoch-\d+: .*sha256.*; epoch-\d+: .*sha256/);
  assert.doesNotMatch(none.stderr, /\n\s+at /);
  const store = await openStore(storePath);
  assert.equal((await store.getRun(id))?.status, 'interrupted', 'nothing changed');
  await store.close();

  const fresh = path.join(work, 'fallback.db');
  const k = await interrupted(fresh, 'SIGINT', 3);
  const folder2 = await checkpointsOf(fresh, k);
  const newest = readdirSync(folder2).filter((n) => n.startsWith('epoch-')).sort().pop()!;
  const weights = readdirSync(path.join(folder2, newest)).find((n) => n.endsWith('.safetensors'))!;
  const bytes = readFileSync(path.join(folder2, newest, weights));
  bytes[bytes.length - 1] ^= 0x55;
  writeFileSync(path.join(folder2, newest, weights), bytes);
  const resumed = nnlab(['resume', String(k), '--store', fresh]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, new RegExp(`resuming run ${k} after epoch \\d+ \\(skipped a newer checkpoint: ${newest}: .*sha256`));

  rmSync(folder, { recursive: true, force: true });
  const gone = nnlab(['resume', String(id), '--store', storePath]);
  assert.equal(gone.status, 2);
  assert.match(gone.stderr, new RegExp(`run ${id} has no checkpoint`));
  assert.equal(nnlab(['resume', '999', '--store', storePath]).status, 2);
});

test('a study stopped by Ctrl-C continues when run again: the same study, the interrupted run resumed, the rest trained', async () => {
  const studyFile = path.join(work, 'study.yaml');
  // The first run trains 14 epochs: Ctrl-C after its second lands well inside it.
  writeFileSync(studyFile, `${RUN.replace('evaluateTest: true', 'evaluateTest: false')}study: { factors: { training.optimizer.lr: [0.003, 0.001] } }\n`);
  const whole = path.join(work, 'study-whole.db');
  const w = nnlab(['run', studyFile, '--store', whole, '--json']);
  assert.equal(w.status, 0, w.stderr);
  const ctrlC = path.join(work, 'study-ctrl-c.db');
  await interrupted(ctrlC, 'SIGINT', 2, studyFile);
  const again = nnlab(['run', studyFile, '--store', ctrlC, '--json']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /continuing study 1 \(resumable\): 0 of 2 runs done/);
  assert.match(again.stderr, /resuming run 1 \[training\.optimizer\.lr=0\.003\] of study 1 from its checkpoint/);
  const out = lastJson(again.stdout);
  assert.equal(out.study, 1);
  assert.deepEqual(out.runs.map((r: { id: number }) => r.id), [1, 2]);
  for (const id of [1, 2]) {
    const [a, b] = [await outcome(whole, id), await outcome(ctrlC, id)];
    assert.deepEqual(b.epochs, a.epochs, `run ${id}`);
    assert.ok(b.weights.equals(a.weights), `run ${id} weights`);
  }
  const third = nnlab(['run', studyFile, '--store', ctrlC, '--json']);
  assert.equal(lastJson(third.stdout).study, 2, 'a finished study is not continued: running the file again is a new study');
});
