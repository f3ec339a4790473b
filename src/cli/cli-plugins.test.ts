// Plugins end to end: a plugin file (outside the package, in the experiment's folder) registers a layer with a
// weight (a learnable scale per feature), a loss and a metric; an experiment file using all three trains with
// `nnlab run`, its summary shows the layer; the saved model records the plugin, so predict, show, test and
// export without it say which to load, and with --plugin work; run --workers and resume take --plugin too. A plugin
// that is missing, not a file, throws, or takes a held name is one line naming it (exit 2), and nothing runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';
import { openStore } from '../store/index.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-plugins-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const nnlab = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

// The README's example plugin, copied out of the package: it must work from a folder where 'nnlab' resolves to nothing.
const PLUGIN = readFileSync(path.join(packageRoot, 'examples', 'plugins', 'my-layers.js'), 'utf8');
mkdirSync(path.join(work, 'plugins'));
const pluginFile = path.join(work, 'plugins', 'my-layers.js');
writeFileSync(pluginFile, PLUGIN);

const experiment = (plugins: string, training = 'epochs: 1') => `name: plugged
seed: 3
${plugins}
data:
  dataset: mnist
  subset: { perClass: 10 }
model:
  layers:
    - { type: flatten }
    - { type: scale, init: 0.5 }
    - { type: dense, units: 16, activation: relu }
    - { type: dense, units: classes }
training:
  optimizer: { name: adam, lr: 0.01 }
  loss: { name: smoothedCrossentropy, smoothing: 0.1 }
  metrics: [accuracy, top2Accuracy]
  ${training}
`;
writeFileSync(path.join(work, 'plugged.yaml'), experiment('plugins: [./plugins/my-layers.js]'));
writeFileSync(path.join(work, 'bare.yaml'), experiment(''));

async function image(file: string): Promise<string> {
  const { default: sharp } = await import('sharp');
  await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 200, g: 200, b: 200 } } }).png().toFile(file);
  return file;
}

test("an experiment using a plugin's layer, loss and metric trains; its saved model predicts, shows and exports with --plugin", async () => {
  const r = nnlab(['run', 'plugged.yaml', '--json', '--no-bar']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /scale_1 \(scale\)\s+\[784\]\s+784\n/, 'the summary shows the layer and its weight count');
  const run = lastJson(r.stdout).runs[0];
  assert.equal(run.status, 'completed');
  assert.deepEqual(run.config.plugins, [pluginFile], 'the run records the plugin its layer, loss and metric come from');
  assert.deepEqual(run.config.training.loss, { name: 'smoothedCrossentropy', smoothing: 0.1, fromLogits: true });
  assert.deepEqual(run.config.model.layers[1], { type: 'scale', name: 'scale_1', init: 0.5 });
  for (const split of ['train', 'val']) {
    const m = run.metrics[split];
    assert.ok(Number.isFinite(m.loss) && m.top2Accuracy >= m.accuracy && m.top2Accuracy <= 1, `${split}: ${JSON.stringify(m)}`);
  }
  const id = String(run.id);

  // The model folder records the plugin; without it, predict says which to load (exit 2), with it, it predicts.
  const show = nnlab(['show', id, '--json']);
  assert.equal(show.status, 0, show.stderr);
  const weights = lastJson(show.stdout).artifacts.find((a: { kind: string }) => a.kind === 'weights').path as string;
  assert.deepEqual(JSON.parse(readFileSync(path.join(weights, 'config.json'), 'utf8')).plugins, [pluginFile]);
  assert.match(show.stderr, new RegExp(`\nmodel summary: layer type 'scale' is not registered; the run used the plugin ${pluginFile}: give --plugin FILE\n`));
  const shown = nnlab(['show', id, '--plugin', 'plugins/my-layers.js']);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout + shown.stderr, /scale_1 \(scale\)\s+\[784\]\s+784\n/);

  const png = await image(path.join(work, 'grey.png'));
  const without = nnlab(['predict', '--run', id, png]);
  assert.equal(without.status, 2);
  assert.equal(without.stderr, `nnlab: ${weights}/config.json: model.layers[1].type: layer type 'scale' is not registered; the model was saved with the plugin ${pluginFile}: load it (--plugin FILE)\n`);
  const predicted = nnlab(['predict', '--run', id, png, '--plugin', pluginFile, '--json']);
  assert.equal(predicted.status, 0, predicted.stderr);
  const p = lastJson(predicted.stdout).predictions[0];
  assert.ok(/^\d$/.test(p.class) && p.probability > 0 && p.probability <= 1, JSON.stringify(p));
  const csv = nnlab(['export-predictions', id, '--out', 'val.csv', '--plugin', pluginFile]);
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(readFileSync(path.join(work, 'val.csv'), 'utf8'), /^index,true,predicted,p\(0\)/);

  const study = String(lastJson(r.stdout).study);
  const looked = nnlab(['test', study, '--config', '', '--plugin', pluginFile, '--json']);
  assert.equal(looked.status, 0, looked.stderr);
  assert.ok(lastJson(looked.stdout).test.top2Accuracy >= 0, looked.stdout);
  const blind = nnlab(['test', study, '--config', '']);
  assert.equal(blind.status, 2);
  assert.equal(blind.stderr, `nnlab: ${work}/plugged.yaml:4: plugins[0]: plugin ${pluginFile} is not loaded: load it first (--plugin ${pluginFile}; in code: await loadExperimentWithPlugins(file))\n`);

  // The layer has no ONNX form: export builds the model with --plugin, then refuses it by name (exit 1).
  const onnx = nnlab(['export', '--model', weights, '--out', 'model.onnx', '--plugin', pluginFile]);
  assert.equal(onnx.status, 1);
  assert.match(onnx.stderr, /layer 'scale_1' \(scale\) cannot be exported to ONNX/);
  assert.equal(existsSync(path.join(work, 'model.onnx')), false);
});

test('the example experiment with its plugin runs as it is', () => {
  const r = nnlab(['run', path.join(packageRoot, 'examples', 'custom-layers.yaml'), '--store', path.join(work, 'example.db'), '--no-bar', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const run = lastJson(r.stdout).runs[0];
  assert.deepEqual(run.config.plugins, [path.join(packageRoot, 'examples', 'plugins', 'my-layers.js')]);
  assert.ok(run.metrics.val.accuracy > 0.5 && run.metrics.val.top2Accuracy >= run.metrics.val.accuracy, JSON.stringify(run.metrics.val));
});

test('a plugin that is missing, not a file, throws or takes a held name: one line naming it, exit 2, nothing run', () => {
  mkdirSync(path.join(work, 'bad'));
  writeFileSync(path.join(work, 'bad', 'throws.js'), "export default function (nnlab) {\n  nnlab.registerMetric('fine', () => (p) => p);\n  throw new Error('no GPU here');\n}\n");
  writeFileSync(path.join(work, 'bad', 'dense.js'), "export default function (nnlab) {\n  nnlab.registerLayer('Dense', class extends nnlab.Layer {});\n}\n");
  const cases: [string[], string][] = [
    [['--plugin', 'bad/missing.js'], `--plugin: no such plugin file: ${work}/bad/missing.js`],
    [['--plugin', 'bad'], `--plugin: the plugin ${work}/bad is not a regular file (a folder, FIFO or device); give the .js file that registers the layers, losses or metrics`],
    [['--plugin', 'bad/throws.js'], `--plugin: plugin ${work}/bad/throws.js:3 threw when loaded: Error: no GPU here`],
    [['--plugin', 'bad/dense.js'], `--plugin: plugin ${work}/bad/dense.js: registerLayer('Dense'): layer type 'Dense' is taken: it is the built-in layer type 'dense'; choose another name`],
  ];
  for (const [flags, message] of cases) {
    const store = path.join(work, 'refused.db');
    const r = nnlab(['run', 'bare.yaml', '--store', store, ...flags]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `nnlab: ${message}\n`);
    assert.equal(existsSync(store), false, 'nothing ran: not even the store was opened');
  }
  // One the experiment lists, named with the experiment's line; a second plugin taking the first one's name.
  writeFileSync(path.join(work, 'twice.yaml'), experiment('plugins:\n  - ./plugins/my-layers.js\n  - ./plugins/copy.js'));
  writeFileSync(path.join(work, 'plugins', 'copy.js'), PLUGIN);
  const twice = nnlab(['run', 'twice.yaml', '--store', path.join(work, 'refused.db')]);
  assert.equal(twice.status, 2);
  assert.equal(twice.stderr, `nnlab: twice.yaml:5: plugins[1]: plugin ${work}/plugins/copy.js: registerLayer('scale'): layer type 'scale' is taken: it is the layer type 'scale' registered by plugin ${pluginFile}; choose another name\n`);
  // Without its plugin, a file using the layer says what it does not know.
  const bare = nnlab(['run', 'bare.yaml', '--store', path.join(work, 'refused.db')]);
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /^nnlab: bare\.yaml:\d+: model\.layers\[1\]\.type: unknown layer type 'scale'; valid: dense, /);
  assert.equal(existsSync(path.join(work, 'refused.db')), false);
});

test('run --workers passes --plugin to its workers; resume needs the plugin its run used and takes --plugin', async () => {
  const store = path.join(work, 'workers.db');
  const r = nnlab(['run', 'bare.yaml', '--workers', '1', '--plugin', 'plugins/my-layers.js', '--store', store, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /\[worker 1\] .*trained 1 run/);
  assert.equal(lastJson(r.stdout).runs[0].status, 'completed');

  // A run stopped by Ctrl-C after two epochs, resumed.
  const long = path.join(work, 'long.yaml');
  writeFileSync(long, experiment('plugins: [./plugins/my-layers.js]', 'epochs: 60\n  batchSize: 4'));
  const stopped = path.join(work, 'stopped.db');
  const child = spawn(process.execPath, [cli, 'run', long, '--store', stopped, '--no-bar'], { cwd: work, env, stdio: 'ignore' });
  const closed = new Promise((done) => child.once('close', done));
  let id = 0;
  for (let i = 0; i < 600 && id === 0; i++) {
    await new Promise((done) => setTimeout(done, 50));
    if (!existsSync(stopped)) continue;
    const s = await openStore(stopped);
    try {
      const run = (await s.listRuns())[0];
      if (run && (await s.getEpochs(run.id)).length >= 2) {
        child.kill('SIGINT');
        id = run.id;
      }
    } finally {
      await s.close();
    }
  }
  await closed;
  assert.ok(id > 0, 'the run trained some epochs before it was stopped');
  const without = nnlab(['resume', String(id), '--store', stopped]);
  assert.equal(without.status, 2);
  assert.equal(without.stderr, `nnlab: run: run ${id} uses the plugin ${pluginFile}: load it (--plugin ${pluginFile})\n`);
  const resumed = nnlab(['resume', String(id), '--store', stopped, '--plugin', pluginFile, '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const run = lastJson(resumed.stdout).runs[0];
  assert.deepEqual([run.status, run.epochs], ['completed', 60]);
});
