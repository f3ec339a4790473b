// Plugins: ES modules that register layers, losses and metrics when loaded, given nnlab by their default export
// (or, inside a project that resolves 'nnlab', importing it themselves); loaded once per file; every problem
// one ConfigError naming the plugin file; an experiment file's plugins, relative to it, loaded before its
// names are checked and recorded in its run specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../engine/errors.js';
import { packageRoot } from '../engine/native.js';
import { layer, layerPlugin, layerType } from '../nn/layers/registry.js';
import { lossPlugin } from '../nn/losses.js';
import { metricPlugin } from '../nn/metrics.js';
import { isPluginLoaded, loadPlugin, loadPlugins } from './plugins.js';
import { loadExperimentWithPlugins } from './experiment/plugins.js';
import { parseExperiment } from './experiment/experiment.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-plugins-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** A plugin registering a layer `<prefix>Scale` (a learnable per-feature scale), a loss and a metric. */
const plugin = (prefix: string) => `
export default function (nnlab) {
  const { Layer, ops, keep, ones, readLayer } = nnlab;
  class Scale extends Layer {
    type = '${prefix}Scale';
    constructor(config, path) {
      super();
      readLayer(config, {}, path, '${prefix}Scale');
    }
    outputShapeFor(input) { return input; }
    weightShapes(input) { return [[input[input.length - 1]]]; }
    createWeights(input) { this.weights.set('weight', keep(ones([input[input.length - 1]]))); }
    call(x) { return ops.mul(x, this.weights.get('weight')); }
    fields() { return {}; }
  }
  nnlab.registerLayer('${prefix}Scale', Scale);
  nnlab.registerLoss('${prefix}Loss', () => (yPred, yTrue) => ops.crossEntropyLoss(yPred, yTrue, null, 0), { params: { fromLogits: { type: 'boolean', default: true } } });
  nnlab.registerMetric('${prefix}Metric', () => (yPred, yTrue) => ops.eq(ops.argmax(yPred, -1), yTrue).to('float32'));
}
`;

const refused = async (load: Promise<unknown>, pattern: RegExp) =>
  assert.rejects(load, (e: Error) => e instanceof ConfigError && pattern.test(e.message) && !e.message.includes('\n'), String(pattern));

test("a plugin's default export is given nnlab and registers with the running nnlab; its names record the plugin file", async () => {
  const file = write('first.js', plugin('first'));
  assert.equal(isPluginLoaded(file), false);
  const [real] = await loadPlugins([path.relative(process.cwd(), file)]);
  assert.equal(real, file);
  assert.equal(isPluginLoaded(file), true);
  assert.deepEqual([layerPlugin('FirstScale'), lossPlugin({ name: 'first_loss' }), metricPlugin('firstMetric')], [file, file, file]);
  const made = layer({ type: 'firstScale' });
  assert.equal(made.type, 'firstScale');
  made.dispose();
  // The same file again, by another path (a link to it): loaded once, so nothing is registered twice.
  const link = path.join(dir, 'link.js');
  symlinkSync(file, link);
  assert.equal(await loadPlugin(link), file);
});

test("a plugin inside a project that resolves 'nnlab' may import the registries itself", async () => {
  // The package resolves its own name ('nnlab' -> dist/src/index.js), as a project with nnlab installed does.
  const inside = mkdtempSync(path.join(packageRoot, '.plugin-test-'));
  try {
    const file = path.join(inside, 'top-level.mjs');
    writeFileSync(file, "import { registerMetric, ops } from 'nnlab';\nregisterMetric('topLevelMetric', () => (yPred) => ops.sumDim(yPred, [-1]));\n");
    await loadPlugin(file);
    assert.equal(metricPlugin('topLevelMetric'), file);
  } finally {
    rmSync(inside, { recursive: true, force: true });
  }
});

test('a plugin that is not there, not a regular file, throws, takes a held name or registers nothing: one line naming it', async () => {
  await refused(loadPlugin(path.join(dir, 'missing.js')), /^--plugin: no such plugin file: .*\/missing\.js$/);
  mkdirSync(path.join(dir, 'folder.js'));
  await refused(loadPlugin(path.join(dir, 'folder.js')), /^--plugin: the plugin .*\/folder\.js is not a regular file/);
  const fifo = path.join(dir, 'fifo.js');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await refused(loadPlugin(fifo), /^--plugin: the plugin .*\/fifo\.js is not a regular file \(a folder, FIFO or device\)/);
  const throws = write('throws.js', 'export default function (nnlab) {\n  const x = 1;\n  throw new TypeError(`broken ${x}`);\n}\n');
  await refused(loadPlugin(throws), new RegExp(`^--plugin: plugin ${throws}:3 threw when loaded: TypeError: broken 1$`));
  await refused(loadPlugin(write('syntax.js', 'export default function (nnlab) {\n  nnlab.registerLoss("x" +, 1);\n}\n')), /syntax\.js threw when loaded: SyntaxError: /);
  const taken = write('taken.js', "export default function (nnlab) { nnlab.registerLayer('firstScale', class extends nnlab.Layer {}); }\n");
  await refused(loadPlugin(taken), new RegExp(`^--plugin: plugin ${taken}: registerLayer\\('firstScale'\\): layer type 'firstScale' is taken: it is the layer type 'firstScale' registered by plugin ${dir}/first\\.js`));
  const builtIn = write('built-in.js', 'export default function (nnlab) { nnlab.registerLoss("categorical_crossentropy", () => (p) => p); }\n');
  await refused(loadPlugin(builtIn), /registerLoss\('categorical_crossentropy'\): loss 'categorical_crossentropy' is taken: it is the built-in loss 'categoricalCrossentropy'/);
  await refused(loadPlugin(write('nothing.js', 'export const layers = [];\n')), /nothing\.js registered no layer, loss or metric: give it a default export, function \(nnlab\)/);
  // Outside a project with nnlab installed, importing it cannot resolve: the error says how a plugin gets nnlab.
  await refused(loadPlugin(write('imports.js', "import { registerLayer } from 'nnlab';\nregisterLayer('x', null);\n")), /imports\.js threw when loaded: Error: Cannot find package 'nnlab'.*; a plugin is given nnlab instead: export default function \(nnlab\)/);
  await refused(loadPlugins(['missing.js'], { base: dir, fail: (problem, i) => new ConfigError(`plugins[${i}]`, problem, 'exp.yaml', 3) }), /^exp\.yaml:3: plugins\[0\]: no such plugin file/);
  assert.equal(isPluginLoaded(throws), false, 'a plugin that failed is not taken for loaded');
});

const experiment = (plugins: string, extra = '') => `name: plugged
${plugins}
data: { dataset: mnist }
model:
  layers:
    - { type: flatten }
    - { type: secondScale }
    - { type: dense, units: classes }
training:
  loss: secondLoss
  metrics: [accuracy, secondMetric]
${extra}`;

test("an experiment file's plugins load, relative to it, before its names are checked, and its run specs record them", async () => {
  const sub = path.join(dir, 'exp');
  mkdirSync(path.join(sub, 'lib'), { recursive: true });
  writeFileSync(path.join(sub, 'lib', 'second.js'), plugin('second'));
  const file = path.join(sub, 'plugged.yaml');
  writeFileSync(file, experiment('plugins: [./lib/second.js]'));
  assert.equal(layerType('secondScale'), null);
  // Without its plugins loaded the file is refused at the plugins line, before any name is checked.
  assert.throws(
    () => parseExperiment(experiment('plugins: [./lib/second.js]'), file),
    (e: Error) => e instanceof ConfigError && e.message === `${file}:2: plugins[0]: plugin ${sub}/lib/second.js is not loaded: load it first (--plugin ${sub}/lib/second.js; in code: await loadExperimentWithPlugins(file))`,
  );
  const exp = await loadExperimentWithPlugins(file);
  const spec = exp.cells[0].spec;
  assert.deepEqual(spec.plugins, [path.join(sub, 'lib', 'second.js')]);
  assert.deepEqual(spec.model.layers[1], { type: 'secondScale' });
  assert.deepEqual([spec.training.loss, spec.training.metrics], [{ name: 'secondLoss', fromLogits: true }, [{ name: 'accuracy', threshold: 0.5 }, { name: 'secondMetric' }]]);
  // A study cannot vary the plugins: they are loaded once for every run.
  assert.throws(
    () => parseExperiment(experiment('plugins: [./lib/second.js]', 'study:\n  factors:\n    plugins: [[./lib/second.js], []]\n'), file),
    (e: Error) => e instanceof ConfigError && /plugged\.yaml:\d+: plugins: plugins are loaded once, before any run, so a study or a search cannot vary them/.test(e.message),
  );
  // A listed plugin that cannot be loaded names the experiment's line and the plugin.
  writeFileSync(path.join(sub, 'broken.yaml'), experiment('plugins:\n  - ./lib/second.js\n  - ./lib/absent.js'));
  await assert.rejects(loadExperimentWithPlugins(path.join(sub, 'broken.yaml')), (e: Error) => e instanceof ConfigError && e.message === `${sub}/broken.yaml:4: plugins[1]: no such plugin file: ${sub}/lib/absent.js`);
  // A file without plugins is as it was; a name from no plugin is unknown, with the registered ones listed.
  writeFileSync(path.join(sub, 'plain.yaml'), experiment('seed: 1').replace('secondLoss', 'thirdLoss'));
  await assert.rejects(loadExperimentWithPlugins(path.join(sub, 'plain.yaml')), (e: Error) => e instanceof ConfigError && /plain\.yaml:10: training\.loss: unknown loss 'thirdLoss'; valid: .*, firstLoss, secondLoss$/.test(e.message));
});
