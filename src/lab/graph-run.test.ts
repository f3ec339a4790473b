// A graph model from an experiment file through the lab: it trains, prints its functional summary, saves and
// loads as the same graph (predict from its folder), and a run stopped mid-way resumes to exactly the run left
// alone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openStore, type RunStore } from '../store/index.js';
import { runWeights } from '../store/artifact-hash.js';
import { loadModel } from '../train/model-io.js';
import { Graph } from '../nn/model.js';
import { parseExperiment } from './experiment/index.js';
import { runExperiment } from './runner.js';
import { ops, tensor, tidy } from '../tensor/index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-graph-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

const RESIDUAL = `name: residual
seed: 4
data: { dataset: mnist, subset: { perClass: 8 }, split: { fraction: 0.25 } }
model:
  blocks:
    residual:
      params: { filters: 4 }
      layers:
        - { type: conv2d, name: conv1, filters: $filters, kernelSize: 3, padding: same, useBias: false }
        - { type: batchNorm, name: bn1 }
        - { type: activation, name: relu, activation: relu }
        - { type: conv2d, name: conv2, filters: $filters, kernelSize: 3, padding: same, useBias: false }
        - { type: batchNorm, name: bn2 }
        - { type: add, name: add, inputs: [bn2, $input] }
  layers:
    - { type: conv2d, name: stem, filters: 4, kernelSize: 3, padding: same, activation: relu }
    - { block: residual, name: b1 }
    - { type: maxPool2d, poolSize: 4 }
    - { type: flatten }
    - { type: dense, units: classes, activation: softmax }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 3, batchSize: 16 }
evaluateTest: true
`;

/** A stream that keeps what is written, calling `onLine` for each line. */
function capture(onLine: (line: string) => void = () => {}) {
  let text = '';
  const w = new Writable({
    write(chunk, _e, done) {
      text += String(chunk);
      for (const line of String(chunk).split('\n')) if (line) onLine(line);
      done();
    },
  }) as unknown as NodeJS.WritableStream & { text: () => string };
  w.text = () => text;
  return w;
}

async function epochsOf(store: RunStore, id: number) {
  return (await store.getEpochs(id)).map(({ timeS, trainTimeS, samplesPerS, ...rest }) => rest);
}

test('a residual model from a file trains, shows what connects to what, and saves and loads as the same graph', async () => {
  const store = await openStore(path.join(root, 'whole.db'));
  const stream = capture();
  const outcome = await runExperiment(parseExperiment(RESIDUAL, 'residual.yaml'), { store, artifactsDir: path.join(root, 'whole'), stream, bar: false });
  const run = outcome.runs[0].record;
  assert.equal(run.status, 'completed', run.message ?? '');
  assert.equal(typeof run.metrics.test?.accuracy, 'number');
  assert.match(stream.text(), /Connected to/);
  assert.match(stream.text(), /b1\.add \(add\)\s+\[4, 28, 28\]\s+0\s+b1\.bn2, stem/);
  const { model } = loadModel(await runWeights(store, run.id));
  assert.ok(model instanceof Graph, 'the saved config builds the graph again');
  assert.ok(Object.keys(model.stateDict()).includes('b1.conv1.weight'));
  tidy(() => {
    const p = model.forward(tensor(new Float32Array(2 * 28 * 28).fill(0.5), [2, 1, 28, 28]), { training: false });
    const sums = ops.sumDim(p, [-1]).toNumbers();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, 'softmax probabilities');
  });
  model.dispose();
  await store.close();
});

test('a graph run stopped after its second epoch resumes to exactly the epochs and metrics of the run left alone', async () => {
  const whole = await openStore(path.join(root, 'reference.db'));
  const ref = await runExperiment(parseExperiment(RESIDUAL, 'residual.yaml'), { store: whole, artifactsDir: path.join(root, 'reference'), stream: capture(), bar: false });
  const expected = { epochs: await epochsOf(whole, ref.runs[0].record.id), metrics: ref.runs[0].record.metrics };
  await whole.close();

  const store = await openStore(path.join(root, 'stopped.db'));
  const stop = new AbortController();
  const first = await runExperiment(parseExperiment(RESIDUAL, 'residual.yaml'), {
    store,
    artifactsDir: path.join(root, 'stopped'),
    stream: capture((line) => /Epoch 2\/3/.test(line) && stop.abort()),
    bar: false,
    signal: stop.signal,
  });
  assert.equal(first.runs[0].record.status, 'interrupted');
  const again = await runExperiment(parseExperiment(RESIDUAL, 'residual.yaml'), { store, artifactsDir: path.join(root, 'stopped'), stream: capture(), bar: false });
  const run = again.runs[0].record;
  assert.equal(run.id, first.runs[0].record.id, 'the same run, resumed');
  assert.deepEqual({ epochs: await epochsOf(store, run.id), metrics: run.metrics }, expected);
  await store.close();
});
