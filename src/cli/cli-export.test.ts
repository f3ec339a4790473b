// `nnlab export` end to end: a tiny MNIST run's model as model.onnx and model.preprocess.json; an image
// prepared as the JSON says gives, in onnxruntime, the probabilities `nnlab predict` gives; --model takes the
// run's model folder; bad calls exit 2 with one line before any work, a layer ONNX cannot express (a plugin's
// layer without an ONNX form) exits 1 naming it, and neither leaves a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { checkOnnx, runOnnx } from '../testing/onnx.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-export-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

const TINY = `name: tiny-export
seed: 4
data:
  dataset: mnist
  subset: { perClass: 20 }
  split: { fraction: 0.2, stratify: true }
  preprocess: standardize
model: { template: mlp, units: [16], activation: relu }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 1, batchSize: 32 }
`;

let runId = '';
/** The tiny run, trained once for the tests of this file. */
function tinyRun(): string {
  if (runId) return runId;
  writeFileSync(path.join(work, 'tiny.yaml'), TINY);
  const r = nnlab(['run', 'tiny.yaml', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return (runId = String(lastJson(r.stdout).runs[0].id));
}

test("export: a run's model as model.onnx and model.preprocess.json; an image prepared as the JSON says gives predict's probabilities", async () => {
  const id = tinyRun();
  const r = nnlab(['export', id, '--format', 'onnx', '--out', 'model.onnx', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = lastJson(r.stdout);
  assert.deepEqual([out.run, out.file, out.preprocessing], [Number(id), 'model.onnx', 'model.preprocess.json']);
  assert.match(r.stderr, /ONNX \(opset 17, input input \[batch, 1, 28, 28\], output probabilities \[batch, 10\]\) written to model\.onnx/);

  const checked = checkOnnx(path.join(work, 'model.onnx'));
  assert.equal(checked.opset, 17);
  assert.deepEqual(checked.inputs, [{ name: 'input', dims: ['batch', 1, 28, 28] }]);
  const json = JSON.parse(readFileSync(path.join(work, 'model.preprocess.json'), 'utf8'));
  assert.equal(json.format, 'nnlab.onnx-preprocess/1');
  assert.equal(json.model, 'model.onnx');
  assert.deepEqual(json.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(json.sampleShape, [1, 28, 28]);
  assert.deepEqual(json.preprocess.config, { name: 'standardize', per: 'channel' });
  assert.deepEqual([json.transforms, json.flatten], [[], false]);
  assert.match(json.prepare, /nnlab predict/);

  // A "1" as a PNG, predicted by nnlab...
  const { default: sharp } = await import('sharp');
  const pixels = Buffer.alloc(28 * 28);
  for (let i = 4; i < 24; i++) pixels[i * 28 + 14] = pixels[i * 28 + 15] = 255;
  const img = path.join(work, 'one.png');
  await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(img);
  const p = nnlab(['predict', '--run', id, img, '--json']);
  assert.equal(p.status, 0, p.stderr);
  const predicted = lastJson(p.stdout).predictions[0].probabilities as Record<string, number>;
  // ...and by onnxruntime, on the image prepared by hand from the JSON: decoded, standardized, channels first.
  const raw = await sharp(img).resize(28, 28, { fit: 'fill' }).grayscale().raw().toBuffer();
  const x = Float32Array.from(raw, (v) => (v - json.preprocess.mean[0]) / json.preprocess.std[0]);
  const got = await runOnnx(path.join(work, 'model.onnx'), { name: 'input', data: x, dims: [1, ...json.sampleShape] });
  json.classes.forEach((c: string, i: number) => assert.ok(Math.abs(got.data[i] - predicted[c]) <= 1e-4, `class ${c}: onnxruntime ${got.data[i]}, predict ${predicted[c]}`));

  // The run's model folder (--model) exports to the same bytes.
  const folder = lastJson(nnlab(['show', id, '--json']).stdout).artifacts.find((a: { kind: string }) => a.kind === 'weights').path as string;
  mkdirSync(path.join(work, 'again'));
  const m = nnlab(['export', '--model', folder, '--out', path.join('again', 'model.onnx')]);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(readFileSync(path.join(work, 'again', 'model.onnx')), readFileSync(path.join(work, 'model.onnx')));
  assert.deepEqual(readFileSync(path.join(work, 'again', 'model.preprocess.json')), readFileSync(path.join(work, 'model.preprocess.json')));
});

test('export: a bad --out, format or model is one line and exit 2 before any work; nothing is written', () => {
  const id = tinyRun();
  const dir = path.join(work, 'bad');
  mkdirSync(dir);
  mkdirSync(path.join(dir, 'folder.onnx'));
  const cases: [string[], RegExp][] = [
    [[id, '--out', path.join(dir, 'folder.onnx')], /--out: .*folder\.onnx is a folder; give the name of the \.onnx file to write/],
    [[id, '--out', path.join(dir, 'missing', 'model.onnx')], /--out: cannot write .*model\.onnx: the folder .*missing does not exist/],
    [[id, '--format', 'tflite', '--out', path.join(dir, 'm.onnx')], /--format: unknown format 'tflite'; valid: onnx/],
    [['--out', path.join(dir, 'm.onnx')], /give the model as exactly one of <run> or --model <dir>/],
    [[id, '--model', work, '--out', path.join(dir, 'm.onnx')], /give the model as exactly one of <run> or --model <dir>/],
    [['--model', path.join(work, 'nowhere'), '--out', path.join(dir, 'm.onnx')], /--model: no such model folder/],
    [['999', '--out', path.join(dir, 'm.onnx')], /run: no run 999/],
  ];
  for (const [args, message] of cases) {
    const r = nnlab(['export', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  assert.deepEqual(readdirSync(dir), ['folder.onnx'], 'nothing written');
});

/** A plugin registering a layer that has no ONNX form (no toOnnx): x³. */
const CUBE_PLUGIN = `export default function (nnlab) {
  class Cube extends nnlab.Layer {
    type = 'cube';
    outputShapeFor(input) { return input; }
    call(x) { return nnlab.ops.mul(nnlab.ops.mul(x, x), x); }
    fields() { return {}; }
  }
  nnlab.registerLayer('cube', Cube);
}
`;

test("export: a model with a layer ONNX cannot express (a plugin's) exits 1 naming the layer, and writes nothing", async () => {
  const [{ buildModel }, { saveModel }, { loadPlugin }] = await Promise.all([import('../nn/model.js'), import('../train/model-io.js'), import('../lab/plugins.js')]);
  const plugin = path.join(work, 'cube-plugin.mjs');
  writeFileSync(plugin, CUBE_PLUGIN);
  await loadPlugin(plugin); // registers 'cube' here, so the model can be built and saved
  const model = buildModel({ inputShape: [5, 4], layers: [{ type: 'cube' }, { type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }] });
  const folder = path.join(work, 'unexportable-model');
  saveModel(folder, model, { classes: ['a', 'b'] });
  model.dispose();
  const dir = mkdtempSync(path.join(work, 'refused-'));
  const r = nnlab(['export', '--model', folder, '--plugin', plugin, '--out', path.join(dir, 'model.onnx')]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /layer 'cube_1' \(cube\) cannot be exported to ONNX/);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.deepEqual(readdirSync(dir), [], 'nothing written');
});
