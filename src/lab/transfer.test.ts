// Transfer learning from an experiment file: a backbone trained by one run is loaded into a model with a new head
// (model.weights with strict: false and skip) and frozen (model.freeze) while the head trains; mistakes in either
// are refused before any run, naming the file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openStore } from '../store/index.js';
import { runWeights } from '../store/artifact-hash.js';
import { readSafetensors } from '../io/safetensors.js';
import { dispose } from '../tensor/index.js';
import { parseExperiment } from './experiment/index.js';
import { runExperiment } from './runner.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-transfer-'));
after(() => rmSync(root, { recursive: true, force: true }));

const quiet = () => {
  let text = '';
  const w = new Writable({ write: (c, _e, done) => ((text += String(c)), done()) }) as unknown as NodeJS.WritableStream & { text(): string };
  w.text = () => text;
  return w;
};

const LAYERS = `  layers:
    - { type: conv2d, name: conv1, filters: 4, kernelSize: 3, padding: same, useBias: false }
    - { type: batchNorm, name: bn1 }
    - { type: activation, name: relu, activation: relu }
    - { type: maxPool2d, name: pool, poolSize: 4 }
    - { type: flatten, name: flat }
    - { type: dense, name: fc, units: classes, activation: softmax }
  outputs: fc
`;

const experiment = (name: string, data: string, extra = '') => `name: ${name}
seed: 3
data: { dataset: mnist, subset: { ${data} }, split: { fraction: 0.25 } }
model:
${LAYERS}${extra}training: { optimizer: { name: adam, lr: 0.01 }, epochs: 1, batchSize: 16 }
`;

/** One tensor of a weights file, as numbers. */
function weightOf(file: string, name: string): number[] {
  const { tensors } = readSafetensors(file);
  try {
    return tensors[name].toNumbers();
  } finally {
    dispose(Object.values(tensors));
  }
}

test('a trained backbone under a new head: loaded but for the head, frozen while the head trains', async () => {
  const store = await openStore(path.join(root, 'runs.db'));
  const artifacts = path.join(root, 'artifacts');
  const first = await runExperiment(parseExperiment(experiment('backbone', 'perClass: 10'), null), { store, artifactsDir: artifacts, stream: quiet(), bar: false });
  const backbone = path.join(await runWeights(store, first.runs[0].record.id), 'weights.safetensors');

  const extra = `  weights: { file: ${backbone}, strict: false, skip: [fc.*] }\n  freeze: [conv1.*, bn1.*]\n`;
  const stream = quiet();
  const second = await runExperiment(parseExperiment(experiment('two-digits', 'classes: ["0", "1"], perClass: 10', extra.replace(/^/gm, '')), null), { store, artifactsDir: artifacts, stream, bar: false });
  const run = second.runs[0].record;
  assert.equal(run.status, 'completed', run.message ?? '');
  assert.match(stream.text(), new RegExp(`weights: 5 tensors loaded from ${backbone.replace(/[.]/g, '\\.')}; kept as built \\(skip\\): fc\\.weight, fc\\.bias`));
  assert.match(stream.text(), /frozen: 3 weights \(conv1\.\*, bn1\.\*\); 394 trainable parameters, 52 not/);
  assert.match(stream.text(), /Total params: 446 \(trainable 394, non-trainable 52\)/);
  const tuned = path.join(await runWeights(store, run.id), 'weights.safetensors');
  assert.deepEqual(weightOf(tuned, 'conv1.weight'), weightOf(backbone, 'conv1.weight'), 'the frozen backbone kept its weights');
  assert.deepEqual(weightOf(tuned, 'bn1.running_mean'), weightOf(backbone, 'bn1.running_mean'), 'and its batch statistics');
  assert.equal(weightOf(tuned, 'fc.bias').length, 2, 'a head of two classes');
  await store.close();
});

test('transfer mistakes are refused before any run: a missing file, a strict load that does not fit, a freeze that matches nothing', async () => {
  const store = await openStore(path.join(root, 'bad.db'));
  const artifacts = path.join(root, 'bad');
  const first = await runExperiment(parseExperiment(experiment('source', 'perClass: 5'), null), { store, artifactsDir: artifacts, stream: quiet(), bar: false });
  const file = path.join(await runWeights(store, first.runs[0].record.id), 'weights.safetensors');
  const two = 'classes: ["0", "1"], perClass: 5';
  assert.throws(() => parseExperiment(experiment('x', two, `  weights: { file: ${path.join(root, 'nowhere.safetensors')} }\n`), 'x.yaml'), /x\.yaml:\d+: model\.weights\.file: cannot read the file: ENOENT/);
  const run = (extra: string) => runExperiment(parseExperiment(experiment('x', two, extra), 'x.yaml'), { store, artifactsDir: artifacts, stream: quiet(), bar: false });
  await assert.rejects(run(`  weights: { file: ${file} }\n`), /x\.yaml: .*fc\.weight has shape \[10, 196\], the model's is \[2, 196\] \(skip it to keep the model's\)/);
  await assert.rejects(run(`  weights: { file: ${file}, strict: true, skip: [fc.*] }\n  freeze: [layer4.*]\n`), /x\.yaml: model\.freeze: 'layer4\.\*' matches no weight of the model/);
  assert.equal((await store.listRuns()).length, 1, 'no run stored for the refused files');
  await store.close();
});
