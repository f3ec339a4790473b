// Per-epoch checkpoints and exact resume: a run resumed from the checkpoint of any epoch ends with the
// uninterrupted run's metrics and weights, bit for bit (dropout, shuffling, Adam with a schedule,
// reduceLROnPlateau, earlyStopping restoring its best weights, keepBestWeights, a CSV log); an interrupted
// run resumes from its newest checkpoint; only the last two checkpoints remain and no temp folder is left;
// a corrupt checkpoint is a CheckpointError naming the file and 'sha256', and nothing is overwritten.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError } from '../io/checkpoint.js';
import { liveTensors, rand, tidy } from '../tensor/index.js';
import type { Callback } from './callbacks/callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { buildRun, disposeData, fitOptions, makeData, trainRun, type RunResult } from '../testing/resume-worker.js';
import { checkpointName, listCheckpoints, loadLatestCheckpoint, loadTrainingCheckpoint } from './run-checkpoint.js';
import { epochSeed } from './run-random.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-resume-'));
const data = makeData('small');
after(() => {
  disposeData(data);
  rmSync(root, { recursive: true, force: true });
});

const EPOCHS = 6;
const dir = (name: string) => path.join(root, name);

/** Ends the run (status interrupted, as Ctrl-C) after epoch `k` (1-based) has completed. */
const stopAfter = (k: number): Callback => ({ name: 'stopAfter', onEpochEnd: (log, ctx) => void (log.epoch + 1 === k && ctx.stop('interrupted', `stopped after epoch ${k}`)) });

/** The CSV log without its wall-time columns (time_s, samples_per_s). */
const csvMetrics = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(',').slice(0, -2).join(','));

function assertSameRun(got: RunResult, want: RunResult, what: string): void {
  assert.equal(got.status, want.status, `${what}: status`);
  assert.equal(got.message, want.message, `${what}: message`);
  assert.equal(got.epochs.length, want.epochs.length, `${what}: epochs`);
  got.epochs.forEach((e, i) => assert.deepStrictEqual(e, want.epochs[i], `${what}: epoch ${i + 1}'s metrics`));
  assert.equal(got.weightsSha256, want.weightsSha256, `${what}: final weights`);
}

let reference: RunResult;

test('a run resumed from the checkpoint of any epoch ends bit-identical to the uninterrupted run', async () => {
  const base = liveTensors().tensors;
  reference = await trainRun('small', data, EPOCHS, { checkpoint: { dir: dir('all'), keep: 10 } }, dir('all.csv'));
  // The scenario exercises what a resume must carry: the lr was cut on a plateau (besides the schedule), and
  // earlyStopping ended the run restoring the weights of its best epoch, which lay checkpoints back.
  assert.equal(reference.status, 'stopped');
  assert.match(reference.message!, /early stopping at epoch 6: .*restored the weights of epoch 1/);
  const lrs = reference.epochs.map((e) => e.lr);
  assert.ok(lrs[2] < lrs[1] * 0.95 * 0.9, `reduceLROnPlateau cut the rate: ${lrs.join(', ')}`);
  assert.deepEqual(listCheckpoints(dir('all')).map((c) => c.completed), [1, 2, 3, 4, 5, 6]);

  for (let k = 1; k < EPOCHS; k++) {
    const from = path.join(dir('all'), checkpointName(k));
    const csv = dir(`from-${k}.csv`);
    const got = await trainRun('small', data, EPOCHS, { resume: { dir: from } }, csv);
    assertSameRun(got, reference, `resumed after epoch ${k}`);
    assert.deepEqual(csvMetrics(csv), csvMetrics(dir('all.csv')), `resumed after epoch ${k}: the CSV log has every epoch`);
  }
  // A resume from the last checkpoint of a run that early stopping ended trains nothing and ends the same.
  assertSameRun(await trainRun('small', data, EPOCHS, { resume: { dir: dir('all') } }, dir('final.csv')), reference, 'resumed from the final checkpoint');
  assert.equal(liveTensors().tensors, base, 'no tensor leaks');
});

test('an interrupted run resumes from its newest checkpoint; the last two remain, no temp folder is left', async () => {
  const ckpt = { dir: dir('interrupted') };
  const first = await trainRun('small', data, EPOCHS, { checkpoint: ckpt, callbacks: [stopAfter(3)] }, dir('interrupted.csv'));
  assert.equal(first.status, 'interrupted');
  assert.equal(first.epochs.length, 3);
  assert.deepEqual(readdirSync(ckpt.dir).sort(), [checkpointName(2), checkpointName(3)], 'the last two checkpoints, nothing else');
  const got = await trainRun('small', data, EPOCHS, { checkpoint: ckpt, resume: ckpt }, dir('interrupted.csv'));
  assertSameRun(got, reference, 'resumed after an interruption');
  assert.deepEqual(csvMetrics(dir('interrupted.csv')), csvMetrics(dir('all.csv')), 'the CSV log was continued');
  assert.deepEqual(readdirSync(ckpt.dir).sort(), [checkpointName(5), checkpointName(6)], 'the last two checkpoints, no temp folders');
  for (const name of readdirSync(ckpt.dir)) assert.ok(!readdirSync(path.join(ckpt.dir, name)).some((f) => f.startsWith('.')), `${name} holds no temp file`);
  // The checkpoint records the whole state: the history so far, the seed, the callbacks' state.
  const last = loadLatestCheckpoint(ckpt.dir);
  try {
    assert.equal(last.completed, 6);
    assert.equal(last.seed, 11);
    assert.deepEqual(last.history.map((e) => e.epoch), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(last.callbacks.map((c) => c.key), ['earlyStopping', 'reduceLROnPlateau', 'keepBestWeights', 'csvLogger']);
    assert.deepEqual(Object.keys(last.callbacks[0].state.tensors!).sort(), ['0.bias', '0.weight', '2.bias', '2.weight'], "earlyStopping's best weights");
    assert.equal(last.stop?.status, 'stopped', 'the final stop is recorded');
  } finally {
    last.dispose();
  }
});

test('without a seed, a run draws one from the generator; each epoch gets its own randomness, the same on resume', async () => {
  // A spy draws from libtorch's generator at the start of each epoch: what dropout and the loader see next.
  const draws = (into: number[][]): Callback => ({ name: 'draws', onEpochBegin: () => void into.push(tidy(() => rand([3]).toNumbers())) });
  // buildRun seeds the generator to make the same initial weights; the run seed is drawn from it after that.
  const noSeed = { seed: undefined, threads: { intraOp: 1, blas: 1 } };
  const wantDraws: number[][] = [];
  const want = await trainRun('small', data, 4, { ...noSeed, callbacks: [draws(wantDraws)] });
  assert.equal(new Set(wantDraws.map((d) => d.join())).size, 4, 'every epoch draws different numbers');

  const ckpt = { dir: dir('unseeded') };
  await trainRun('small', data, 4, { ...noSeed, checkpoint: ckpt, callbacks: [draws([]), stopAfter(2)] });
  const seed = JSON.parse(readFileSync(path.join(ckpt.dir, checkpointName(2), 'trainer.json'), 'utf8')).seed as number;
  assert.ok(Number.isSafeInteger(seed), 'the drawn run seed is recorded');
  const gotDraws: number[][] = [];
  const got = await trainRun('small', data, 4, { ...noSeed, resume: ckpt, callbacks: [draws(gotDraws)] });
  assertSameRun(got, want, 'an unseeded run resumed');
  assert.deepEqual(gotDraws, wantDraws.slice(2), "the resumed epochs drew the uninterrupted run's numbers");
  assert.notEqual(epochSeed(seed, 0), epochSeed(seed, 1));
});

test('a corrupt checkpoint is a CheckpointError naming the file and sha256; nothing is overwritten', async () => {
  const ckpt = { dir: dir('corrupt') };
  await trainRun('small', data, 4, { checkpoint: ckpt, callbacks: [stopAfter(3)] });
  const weights = path.join(ckpt.dir, checkpointName(3), 'weights.safetensors');
  const bytes = readFileSync(weights);
  bytes[bytes.length - 5] ^= 0x01; // one bit of one weight
  writeFileSync(weights, bytes);
  const snapshot = () =>
    readdirSync(ckpt.dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((f) => {
        const p = path.join(ckpt.dir, f);
        return statSync(p).isDirectory() ? `${f}/` : `${f} ${readFileSync(p).toString('base64')} ${statSync(p).mtimeMs}`;
      });
  const before = snapshot();
  const corrupt = (e: unknown) => e instanceof CheckpointError && e.file === weights && /sha256 mismatch/.test(e.message);
  await assert.rejects(trainRun('small', data, 4, { checkpoint: ckpt, resume: ckpt }), corrupt);
  assert.throws(() => loadLatestCheckpoint(ckpt.dir), corrupt);
  assert.throws(() => loadTrainingCheckpoint(path.dirname(weights)), corrupt);
  assert.deepEqual(snapshot(), before, 'nothing in the checkpoint folder changed');
  // Told to fall back, the newest checkpoint that verifies is used, and the skipped one is named.
  const previous = loadLatestCheckpoint(ckpt.dir, { fallback: true });
  assert.equal(previous.completed, 2);
  assert.match(previous.skipped.join(), /weights\.safetensors: sha256 mismatch/);
  previous.dispose();
  // A manifest that lists a missing file names it.
  rmSync(path.join(ckpt.dir, checkpointName(2), 'optimizer.safetensors'));
  assert.throws(() => loadTrainingCheckpoint(path.join(ckpt.dir, checkpointName(2))), /optimizer\.safetensors: missing \(manifest\.json lists it\)/);
});

test('a resume that does not fit the checkpoint is refused, naming what differs', async () => {
  const ckpt = { dir: dir('mismatch') };
  await trainRun('small', data, 3, { checkpoint: ckpt, callbacks: [stopAfter(1)] });
  await assert.rejects(trainRun('small', data, 3, { resume: ckpt, seed: 12 }), /trainer\.json: was written by a run with seed 11; this fit has seed 12/);
  await assert.rejects(trainRun('small', data, 3, { resume: ckpt, batchSize: 8 }), /trainer\.json: was written by a run with batchSize 16; this fit has 8/);
  // Stateful callbacks must be the original run's; a stateless one may be added.
  const run = buildRun('small');
  try {
    const options = { ...fitOptions('small', data, 3), resume: ckpt };
    await assert.rejects(run.trainer.fit(data.train, { ...options, callbacks: run.callbacks.slice(1) }), /callbacks\.json: holds the state of callback 'earlyStopping', which this run does not have/);
    await assert.rejects(run.trainer.fit(data.train, { ...options, callbacks: [...run.callbacks, new EarlyStopping()] }), /callbacks\.json: has no state for callback 'earlyStopping#2'/);
  } finally {
    run.dispose();
  }
  await assert.rejects(trainRun('small', data, 3, { resume: { dir: dir('nowhere') } }), /nowhere: no such checkpoint folder/);
  await assert.rejects(trainRun('small', data, 3, { checkpoint: { dir: dir('x'), keep: 0 } }), /fit\.checkpoint\.keep: expected an integer >= 1/);
});
