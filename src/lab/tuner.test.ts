// The lab's search on tiny data: trials are runs of one study with their numbers and parameters, a trial's value
// is its best epoch's objective, only the best trial sees the test set, a diverging trial fails and the search
// goes on, the pruner stops a bad trial and keeps its epochs, a stopped search continues where it stopped, and
// 200 trials in one process leave no tensor behind and keep RSS flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { liveTensors } from '../tensor/index.js';
import { openStore, type RunStore } from '../store/index.js';
import { parseExperiment } from './experiment/index.js';
import { tuneExperiment, type TuneOptions } from './tuner.js';
import { intermediateValues, reduceCurve } from '../tune/objective.js';

const quiet = new Writable({ write: (_c, _e, done) => done() }) as NodeJS.WritableStream;

const SEARCH = `name: tuner-test
seed: 3
data: { dataset: mnist, subset: { perClass: 12 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [8] }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 3, batchSize: 30 }
tune:
  sampler: random
  trials: 4
  space:
    training.optimizer.lr: { type: float, low: 0.001, high: 0.05, log: true }
    model.units: { type: choice, values: [[4], [8]] }
`;

async function fresh(): Promise<{ store: RunStore; options: TuneOptions }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-tuner-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  return { store, options: { store, artifactsDir: path.join(dir, 'runs'), stream: quiet, bar: false } };
}

test('a search: trials are runs with their numbers and params, values from the best epoch, the test set only for the best trial', async () => {
  const { store, options } = await fresh();
  const base = liveTensors().tensors;
  const exp = parseExperiment(SEARCH, 'search.yaml');
  const out = await tuneExperiment(exp, options);
  assert.equal(liveTensors().tensors, base, 'every tensor of the search was freed');
  assert.equal(out.stop, 'budget');
  assert.deepEqual(out.ran, [0, 1, 2, 3]);
  assert.deepEqual(out.trials.map((t) => [t.number, t.state]), [[0, 'completed'], [1, 'completed'], [2, 'completed'], [3, 'completed']]);
  const study = (await store.getStudy(out.studyId))!;
  assert.equal(study.kind, 'tune');
  const runs = await store.listRuns({ studyId: study.id });
  assert.deepEqual(runs.map((r) => r.trial), [0, 1, 2, 3]);
  for (const t of out.trials) {
    const run = runs.find((r) => r.id === t.runIds[0])!;
    assert.deepEqual(run.values, t.params);
    assert.equal((run.config as { training: { optimizer: { lr: number } } }).training.optimizer.lr, t.params['training.optimizer.lr']);
    const curve = intermediateValues(await store.getEpochs(run.id), 'val.accuracy');
    assert.equal(t.value, reduceCurve(curve, { metric: 'val.accuracy', direction: 'max', reduce: 'best' }).value, 'the value is the best epoch');
    assert.equal(t.value, Math.max(...(curve as number[])));
  }
  const best = out.best!;
  assert.equal(best.value, Math.max(...out.trials.map((t) => t.value!)));
  const tested = runs.filter((r) => r.metrics.test !== undefined);
  assert.deepEqual(tested.map((r) => r.id), best.runIds, 'only the best trial saw the test set');
  assert.equal(out.test?.accuracy, tested[0].metrics.test!.accuracy);
  assert.deepEqual(out.sampler.name, 'random');
  await store.close();
  // The seed makes the search repeatable: the same file in a new store suggests the same parameters.
  const other = await fresh();
  const again = await tuneExperiment(parseExperiment(SEARCH.replace('sampler: random', 'sampler: { name: tpe, startupTrials: 2 }'), 'search.yaml'), other.options);
  const third = await fresh();
  const same = await tuneExperiment(parseExperiment(SEARCH.replace('sampler: random', 'sampler: { name: tpe, startupTrials: 2 }'), 'search.yaml'), third.options);
  assert.deepEqual(same.trials.map((t) => t.params), again.trials.map((t) => t.params));
  assert.deepEqual(same.trials.map((t) => t.value), again.trials.map((t) => t.value));
  await other.store.close();
  await third.store.close();
});

test('the same file against the same store continues the study: a finished one runs nothing, a larger budget adds trials', async () => {
  const { store, options } = await fresh();
  const controller = new AbortController();
  const exp = parseExperiment(SEARCH, 'search.yaml');
  const first = await tuneExperiment(exp, { ...options, signal: controller.signal, onTrialEnd: (t) => t.number === 1 && controller.abort() });
  assert.equal(first.stop, 'interrupted');
  assert.deepEqual(first.ran, [0, 1]);
  const second = await tuneExperiment(parseExperiment(SEARCH, 'search.yaml'), options);
  assert.equal(second.studyId, first.studyId);
  assert.ok(second.resumed);
  assert.deepEqual(second.ran, [2, 3], 'trial numbers go on from the stored ones');
  const params = second.trials.map((t) => JSON.stringify(t.params));
  assert.equal(new Set(params).size, 4, 'the continued study does not repeat the first trials');
  const again = await tuneExperiment(parseExperiment(SEARCH, 'search.yaml'), options);
  assert.deepEqual(again.ran, [], 'a finished study runs nothing');
  assert.equal(again.trials.length, 4);
  const testScores = (await store.listRuns({ studyId: first.studyId })).filter((r) => r.metrics.test);
  assert.equal(testScores.length, 1, 'the test set is evaluated once, not again when the finished study is reported');
  const more = await tuneExperiment(parseExperiment(SEARCH.replace('trials: 4', 'trials: 5'), 'search.yaml'), options);
  assert.equal(more.studyId, first.studyId, 'a larger budget continues the same study');
  assert.deepEqual(more.ran, [4]);
  const restarted = await tuneExperiment(parseExperiment(SEARCH, 'search.yaml'), { ...options, fresh: true });
  assert.notEqual(restarted.studyId, first.studyId);
  assert.equal((await store.listRuns({ studyId: first.studyId })).length, 5, '--fresh keeps the old study');
  const changed = await tuneExperiment(parseExperiment(SEARCH.replace('epochs: 3', 'epochs: 2'), 'search.yaml'), options);
  assert.notEqual(changed.studyId, restarted.studyId, 'a changed experiment is a new study');
  await store.close();
});

test('a diverging trial fails with its reason and the search goes on; the pruner stops a bad trial and keeps its epochs', async () => {
  const { store, options } = await fresh();
  const text = SEARCH.replace(/tune:[\s\S]*/, `tune:
  sampler: grid
  pruner: { name: median, startupTrials: 1 }
  trials: 3
  space:
    training.optimizer.lr: { type: choice, values: [0.05, 1.0e+30, 0.0000001] }
`);
  const out = await tuneExperiment(parseExperiment(text, 'search.yaml'), options);
  assert.deepEqual(out.trials.map((t) => t.state), ['completed', 'failed', 'pruned']);
  assert.match(out.trials[1].message!, /loss is (NaN|Infinity)/);
  assert.match(out.trials[2].message!, /pruned by median after epoch 1/);
  assert.equal((await store.getEpochs(out.trials[2].runIds[0])).length, 1, 'the pruned trial keeps its epochs');
  assert.equal(out.best?.number, 0);
  await store.close();
});

test('an objective the training never logs is refused before any trial', async () => {
  const { store, options } = await fresh();
  const text = SEARCH.replace('  sampler: random', '  sampler: random\n  objective: val.precision');
  await assert.rejects(tuneExperiment(parseExperiment(text, 'search.yaml'), options), /tune\.objective: the training never logs val\.precision as a number.*add it to training\.metrics/);
  assert.deepEqual(await store.listStudies(), []);
  await store.close();
});

test('200 trials in one process: the live-tensor count is back at its baseline after every trial and RSS stays flat', async (t) => {
  const { store, options } = await fresh();
  const text = SEARCH.replace('perClass: 12', 'perClass: 4').replace('epochs: 3', 'epochs: 1').replace('trials: 4', 'trials: 200');
  const exp = parseExperiment(text, 'search.yaml');
  const base = liveTensors().tensors;
  const counts: number[] = [];
  const rss: number[] = [];
  const out = await tuneExperiment(exp, {
    ...options,
    onTrialEnd: () => {
      // The data stay loaded for the whole search; what a trial leaves behind would add to this count.
      counts.push(liveTensors().tensors);
      globalThis.gc?.();
      rss.push(process.memoryUsage().rss);
    },
  });
  assert.equal(out.trials.length, 200);
  assert.ok(out.trials.every((t) => t.state === 'completed'));
  assert.ok(counts.every((c) => c === counts[0]), `live tensors after each trial: ${[...new Set(counts)].join(', ')}`);
  assert.equal(liveTensors().tensors, base);
  const mb = (x: number) => x / 2 ** 20;
  // After a warm-up (allocator pools, V8's code and the store's page cache fill in the first ~50 trials).
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const early = mb(medianOf(rss.slice(60, 80)));
  const late = mb(medianOf(rss.slice(180)));
  t.diagnostic(`RSS: ${early.toFixed(1)} MiB over trials 60-80, ${late.toFixed(1)} MiB over trials 180-200; live tensors after each trial: ${counts[0]}`);
  assert.ok(late - early < 24, `RSS grew from ${early.toFixed(0)} MiB (trials 60-80) to ${late.toFixed(0)} MiB (trials 180-200)`);
  await store.close();
});
