// What a study does when things go wrong around it: a store outage it outlives, a newest checkpoint that does
// not fit, a process killed during the study's look at the test set, a single run (a study of one run).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openStore, type RunStore } from '../store/index.js';
import { parseExperiment } from './experiment/index.js';
import { runExperiment } from './runner.js';
import { checkpointDir } from './checkpoints.js';
import { readVerifiedDir, writeVerifiedDir } from '../io/verified-dir.js';
import { toBuffer } from '../io/safetensors.js';
import { tensor } from '../tensor/index.js';
import { TRAINING_CHECKPOINT_FORMAT } from '../train/run-checkpoint.js';
import { startPostgres, type PostgresServer } from '../testing/postgres-server.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-trust-'));
after(() => rmSync(root, { recursive: true, force: true }));
let server: PostgresServer | undefined;
after(async () => server?.stop());

/** A stream that keeps what is written and calls `onLine` with each line. */
function capture(onLine: (line: string) => void = () => {}): NodeJS.WritableStream & { text: () => string } {
  let text = '';
  const w = new Writable({
    write(chunk, _e, done) {
      const s = String(chunk);
      text += s;
      for (const line of s.split('\n')) if (line) onLine(line);
      done();
    },
  }) as unknown as NodeJS.WritableStream & { text: () => string };
  w.text = () => text;
  return w;
}

const STUDY = `name: trust
seed: 5
repeats: 2
data: { dataset: mnist, subset: { perClass: 20 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [16] }
training: { optimizer: { name: adam, lr: 0.003 }, epochs: 6, batchSize: 25 }
study: { factors: { model.activation: [relu, tanh] } }
evaluateTest: best
`;

/** Each run's epochs without timings, by (cell, repeat). */
async function curves(store: RunStore, studyId: number) {
  const out: Record<string, unknown> = {};
  for (const r of await store.listRuns({ studyId })) {
    out[`${r.cell}/${r.repeat}`] = { status: r.status, metrics: r.metrics, epochs: (await store.getEpochs(r.id)).map(({ timeS, trainTimeS, samplesPerS, ...rest }) => rest) };
  }
  return out;
}

test('a store outage of 1.5 s during training: the run completes with every epoch stored, in order, nothing failed', async () => {
  server = await startPostgres();
  const target = new URL(await server.createDatabase('trust_outage'));
  const proxy = await startTcpProxy(Number(target.port));
  const store = await openStore(`postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}`);
  try {
    let outage: Promise<void> | null = null;
    // The outage starts as the second epoch is reported, so the epochs after it are written while the store is away.
    const stream = capture((line) => {
      if (outage === null && /Epoch 2\/6/.test(line)) outage = proxy.outage(1500);
    });
    const single = STUDY.replace('repeats: 2', 'repeats: 1').replace(/study: .*\n/, '').replace('perClass: 20', 'perClass: 60');
    const outcome = await runExperiment(parseExperiment(single, null), { store, artifactsDir: path.join(root, 'outage'), stream, bar: false, heartbeatS: 0.2 });
    await outage;
    assert.ok(outage !== null && proxy.dropped() > 0, 'the outage happened during the run');
    const run = outcome.runs[0].record;
    assert.equal(run.status, 'completed', run.message ?? '');
    assert.deepEqual((await store.getEpochs(run.id)).map((e) => e.epoch), [0, 1, 2, 3, 4, 5]);
    assert.equal((await store.getRun(run.id))?.status, 'completed');
  } finally {
    await store.close();
    await proxy.close();
  }
});

test('a newest checkpoint whose weights do not fit: the study resumes from the one before, names the one skipped, and ends as if never stopped', async () => {
  const reference = await openStore(path.join(root, 'reference.db'));
  const whole = await runExperiment(parseExperiment(STUDY, null), { store: reference, artifactsDir: path.join(root, 'ref-artifacts'), stream: capture(), bar: false });
  const expected = await curves(reference, whole.studyId);
  await reference.close();

  const store = await openStore(path.join(root, 'tampered.db'));
  const artifacts = path.join(root, 'tampered-artifacts');
  const stop = new AbortController();
  const first = await runExperiment(parseExperiment(STUDY, null), {
    store,
    artifactsDir: artifacts,
    stream: capture((line) => /Epoch 4\/6/.test(line) && stop.abort()),
    bar: false,
    signal: stop.signal,
  });
  assert.equal(first.interrupted, true);
  const stopped = first.runs.find((r) => r.record.status === 'interrupted')!.record;
  // The newest checkpoint keeps an intact manifest, but its weights are of another model.
  const folder = checkpointDir(artifacts, stopped.id);
  const newest = readdirSync(folder).filter((n) => n.startsWith('epoch-')).sort().pop()!;
  const files = readVerifiedDir(path.join(folder, newest), TRAINING_CHECKPOINT_FORMAT);
  files['weights.safetensors'] = toBuffer({ 'layers.0.weight': tensor([[1, 2], [3, 4]]) });
  rmSync(path.join(folder, newest), { recursive: true });
  writeVerifiedDir(path.join(folder, newest), TRAINING_CHECKPOINT_FORMAT, files);

  const stream = capture();
  const again = await runExperiment(parseExperiment(STUDY, null), { store, artifactsDir: artifacts, stream, bar: false });
  assert.equal(again.studyId, first.studyId, 'the same study, continued');
  assert.match(stream.text(), new RegExp(`resuming run ${stopped.id} .*from its checkpoint after epoch \\d .*skipped a newer checkpoint: ${newest}: does not fit the run`));
  assert.deepEqual(await curves(store, again.studyId), expected, 'every run as in the study left alone');
  await store.close();
});

test('a process killed during the study\'s look at the test set: running the file again finishes that look, and nothing else', async () => {
  const file = STUDY.replace('epochs: 6', 'epochs: 2');
  const store = await openStore(path.join(root, 'killed-test.db'));
  const artifacts = path.join(root, 'killed-artifacts');
  // The store "dies" with the process as the second run's test score is written: the look is recorded, one run scored.
  let scored = 0;
  const dying = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'setRunMetrics') {
        return async (...args: Parameters<RunStore['setRunMetrics']>) => {
          if (args[1] === 'test' && ++scored === 2) throw new Error('killed');
          return target.setRunMetrics(...args);
        };
      }
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  await assert.rejects(runExperiment(parseExperiment(file, null), { store: dying, artifactsDir: artifacts, stream: capture(), bar: false }), /killed/);
  const [study] = await store.listStudies();
  const before = await store.listRuns({ studyId: study.id });
  assert.deepEqual(before.map((r) => r.status), ['completed', 'completed', 'completed', 'completed']);
  assert.equal(before.filter((r) => r.metrics.test).length, 1);
  assert.equal((await store.getStudy(study.id))!.testLooks.length, 1);
  const firstScore = before.find((r) => r.metrics.test)!;

  const again = await runExperiment(parseExperiment(file, null), { store, artifactsDir: artifacts, stream: capture(), bar: false });
  assert.equal(again.studyId, study.id, 'the same study');
  assert.deepEqual(again.trained, [], 'no run trained again');
  const after = await store.listRuns({ studyId: study.id });
  assert.equal(after.length, 4);
  const tested = after.filter((r) => r.metrics.test);
  assert.equal(tested.length, 2, 'both runs of the chosen config have test scores');
  assert.deepEqual(tested.map((r) => r.label), [firstScore.label, firstScore.label]);
  assert.deepEqual(after.find((r) => r.id === firstScore.id)!.metrics.test, firstScore.metrics.test, 'the score already stored is kept');
  assert.equal((await store.getStudy(study.id))!.testLooks.length, 1, 'still one look');
  assert.deepEqual(again.finalTest?.runs.map((r) => r.id).sort(), tested.map((r) => r.id).sort());
  const third = await runExperiment(parseExperiment(file, null), { store, artifactsDir: artifacts, stream: capture(), bar: false });
  assert.notEqual(third.studyId, study.id, 'a finished study is not continued: running the file again is a new study');
  await store.close();
});

test('a single run is a study of one run, named after the experiment', async () => {
  const store = await openStore(path.join(root, 'single.db'));
  const single = STUDY.replace('repeats: 2', 'repeats: 1').replace(/study: .*\n/, '').replace('epochs: 6', 'epochs: 1');
  const outcome = await runExperiment(parseExperiment(single, '/x/single-run.yaml'), { store, artifactsDir: path.join(root, 'single'), stream: capture(), bar: false });
  const study = await store.getStudy(outcome.studyId);
  assert.equal(study?.name, 'trust');
  assert.equal(study?.file, '/x/single-run.yaml');
  assert.deepEqual((await store.listRuns({ studyId: outcome.studyId })).map((r) => [r.cell, r.repeat, r.status]), [[0, 0, 'completed']]);
  await store.close();
});
