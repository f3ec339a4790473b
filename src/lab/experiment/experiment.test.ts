// Loading experiment files: every kind of bad input is one ConfigError naming the file, the line and the field
// path; good files (YAML and JSON, with every section) become the run specs the runner trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../../engine/errors.js';
import { liveTensors } from '../../tensor/index.js';
import { loadExperiment, MAX_EXPERIMENT_BYTES, parseExperiment, type LoadOptions } from './experiment.js';

const MODEL = 'model: { template: mlp, units: [8] }\n';

/** The ConfigError a text raises, as [line, path, message]. */
function failure(text: string, options: LoadOptions = {}): { line: number | undefined; path: string; message: string; file: string | undefined } {
  try {
    parseExperiment(text, 'exp.yaml', options);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return { line: e.line, path: e.path, message: e.message, file: e.file };
  }
  assert.fail(`no error for:\n${text}`);
}

function expectError(text: string, line: number | undefined, path: string, ...fragments: (string | RegExp)[]): void {
  const f = failure(text);
  assert.equal(f.file, 'exp.yaml');
  assert.deepEqual([f.line, f.path], [line, path], f.message);
  assert.ok(f.message.startsWith(`exp.yaml${line ? `:${line}` : ''}: ${path}`), f.message);
  for (const frag of fragments) assert.match(f.message, typeof frag === 'string' ? new RegExp(frag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : frag);
}

test('invalid YAML is reported at the position the YAML library gives', () => {
  expectError('data:\n  dataset: mnist\n  split: { fraction: 0.2\n' + MODEL, 4, 'data.split.fraction', 'invalid YAML', 'column');
  expectError('data: { dataset: mnist }\ndata: { dataset: mnist }\n' + MODEL, 2, 'data', 'invalid YAML', 'unique');
  expectError('data:\n  dataset: mnist\n   shuffle: true\n' + MODEL, 2, 'data.dataset', 'invalid YAML', 'Nested mappings', 'column 12');
});

test('an empty file, or one that is not a mapping of fields, is an error at line 1', () => {
  expectError('', 1, '', 'the file is empty');
  expectError('- data\n- model\n', 1, '', "expected the experiment's fields");
});

test('an unknown field names its line and the closest valid field', () => {
  expectError('data:\n  dataset: mnist\n  shufle: true\n' + MODEL, 3, 'data.shufle', "unknown field 'shufle'", "did you mean 'shuffle'?");
  // A misspelt required field is reported as the unknown field it is, not as the missing one.
  expectError('data:\n  datset: mnist\n' + MODEL, 2, 'data.datset', "did you mean 'dataset'?");
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  epochs: 3\n  batch_size: 64\n', 5, 'training.batch_size', "did you mean 'batchSize'?");
  expectError('data: { dataset: mnist }\n' + MODEL + 'repeat: 2\n', 3, 'repeat', "did you mean 'repeats'?");
  expectError('data: { dataset: mnist }\nmodel:\n  template: mlp\n  units: [8]\n  activaton: relu\n', 5, 'model.activaton', "did you mean 'activation'?");
  // Inside a component the factory's own reader finds the field and its neighbour.
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  optimizer:\n    name: adam\n    lrr: 0.1\n', 6, 'training.optimizer.lrr', "did you mean 'lr'?");
  // A field of the other template is unknown to this one.
  expectError('data: { dataset: mnist }\nmodel:\n  template: cnn\n  filters: [4]\n  units: [8]\n', 5, 'model.units', "unknown field 'units'", 'filters');
});

test('a value of the wrong type or out of range names its field', () => {
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  epochs: five\n', 4, 'training.epochs', 'expected an integer, got "five"');
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  batchSize: 0\n', 4, 'training.batchSize', 'must be >= 1, got 0');
  expectError('data:\n  dataset: mnist\n  split: { fraction: 1.5 }\n' + MODEL, 3, 'data.split.fraction', 'must be < 1');
  expectError('data:\n  dataset: mnist\n  shuffle: maybe\n' + MODEL, 3, 'data.shuffle', 'expected true or false');
  expectError('seed: -1\ndata: { dataset: mnist }\n' + MODEL, 1, 'seed', 'must be >= 0');
  expectError('data: { dataset: 3 }\n' + MODEL, 1, 'data.dataset', 'expected a string or an object, got 3');
  expectError('data: { dataset: mnist }\nmodel:\n  template: mlp\n  units: [8, -1]\n', 4, 'model.units[1]', 'must be >= 1');
  expectError('data: { dataset: mnist }\n' + MODEL + 'baselines: [majority, best]\n', 3, 'baselines[1]', "unknown value 'best'", 'majority, uniform, constant');
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  callbacks:\n    - { name: earlyStopping, patience: -2 }\n', 5, 'training.callbacks[0].patience', 'must be >= 0');
});

test('missing required fields are named, at the line of their section', () => {
  expectError(MODEL, 1, 'data', "the experiment needs 'data'");
  expectError('data: { dataset: mnist }\nmodel:\n  template: mlp\n', 2, 'model.units', "model needs 'units'");
  expectError('data: { dataset: mnist }\nmodel: {}\n', 2, 'model.layers', "needs 'layers'", "'template'");
});

test('unknown names are checked early by their factories, with a did-you-mean', () => {
  expectError('data: { dataset: fashion-mnst }\n' + MODEL, 1, 'data.dataset', "unknown built-in dataset 'fashion-mnst'", "did you mean 'fashion-mnist'?");
  expectError('data: { dataset: mnist }\nmodel:\n  template: mlp\n  units: [8]\n  activation: rleu\n', 5, 'model.activation', "unknown activation 'rleu'", "did you mean 'relu'?");
  expectError('data: { dataset: mnist }\nmodel:\n  template: mlp\n  units: [8]\n  initializer: heNormall\n', 5, 'model.initializer', "did you mean 'heNormal'?");
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  optimizer: adamm\n', 4, 'training.optimizer.name', "unknown optimizer 'adamm'", "did you mean 'adam'?");
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  loss: sparseCategoricalCrossentropi\n', 4, 'training.loss', "did you mean 'sparseCategoricalCrossentropy'?");
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  metrics: [accuracy, recal]\n', 4, 'training.metrics[1]', 'unknown metric');
  expectError('data: { dataset: mnist }\n' + MODEL + 'training:\n  callbacks: [{ name: earlyStoping }]\n', 4, 'training.callbacks[0].name', "did you mean 'earlyStopping'?");
  const layers = 'data: { dataset: mnist }\nmodel:\n  layers:\n    - { type: flatten }\n    - { type: dnse, units: classes, activation: softmax }\n';
  expectError(layers, 5, 'model.layers[1].type', "unknown layer type 'dnse'", "did you mean 'dense'?");
  expectError('data:\n  dataset: mnist\n  augment: [flip, { name: rotat, degrees: 5 }]\n' + MODEL, 3, 'data.augment.steps[1].name', "did you mean 'rotate'?");
});

test('what the data section cannot hold together is an error at its field', () => {
  expectError('data:\n  dataset: mnist\n  split: { fraction: 0.2, count: 100 }\n' + MODEL, 3, 'data.split', 'fraction or count, not both');
  expectError('data:\n  dataset: mnist\n  subset: { perClass: 10, total: 100 }\n' + MODEL, 3, 'data.subset', 'perClass or total, not both');
  expectError('data:\n  dataset: mnist\n  preprocess: { name: scale, per: global }\n' + MODEL, 3, 'data.preprocess.per', 'belongs to standardize');
  expectError('data:\n  dataset: { imageFolder: { path: x }, idx: y }\n' + MODEL, 2, 'data.dataset', 'exactly one of');
});

test('a model that ends without an activation under a probability loss is caught', () => {
  const text = 'data: { dataset: mnist }\nmodel:\n  layers:\n    - { type: flatten }\n    - { type: dense, units: classes }\n';
  expectError(text, 5, 'model.layers[1]', 'ends without an activation', 'fromLogits: true');
  expectError('data: { dataset: mnist }\nmodel: { template: mlp, units: [8], outputActivation: linear }\n', 2, 'model.outputActivation', 'softmax');
  // ...and is fine when the loss takes logits.
  const ok = parseExperiment(text + 'training: { loss: { name: sparseCategoricalCrossentropy, fromLogits: true } }\n', null);
  assert.deepEqual(ok.cells[0].spec.training.loss, { name: 'sparseCategoricalCrossentropy', fromLogits: true });
});

const FULL = `# every section
name: full
description: all the fields
seed: 7
repeats: 3
data:
  dataset: Fashion_MNIST
  task: { oneVsRest: 3 }
  subset: { perClass: 50, seed: 2 }
  split: { count: 100, take: random, stratify: false }
  preprocess: { name: standardize, per: global }
  augment: { steps: [flip, { name: rotate, degrees: 10 }], seed: 4 }
  shuffle: false
  flatten: false
  view: image
model:
  template: cnn
  filters: [4, 8]
  kernelSize: 5
  padding: valid
  activation: { name: leakyRelu, alpha: 0.1 }
  initializer: heNormal
  batchNorm: true
  pool: avg
  poolSize: 2
  dense: [16]
  dropout: 0.25
  outputActivation: softmax
training:
  optimizer: { name: SGD, learning_rate: 0.05, momentum: 0.9 }
  loss: sparse_categorical_crossentropy
  metrics: [acc, { name: f1, average: macro }]
  epochs: 4
  batchSize: 16
  callbacks: [{ name: earlyStopping, patience: 2 }, terminateOnNaN]
  classWeight: { 0: 1, 1: 5 }
evaluateTest: true
study:
  mode: zip
  factors:
    model.dropout: [0.1, 0.5]
    training.optimizer.momentum: [0.5, 0.99]
baselines: [majority, uniform, constant]
`;

test('a file with every section becomes the run specs, with names canonical and defaults filled in', () => {
  const e = parseExperiment(FULL, '/somewhere/full.yaml');
  assert.equal(e.file, '/somewhere/full.yaml');
  assert.deepEqual([e.name, e.description, e.seed, e.repeats, e.baselines], ['full', 'all the fields', 7, 3, ['majority', 'uniform', 'constant']]);
  assert.deepEqual(e.study, { mode: 'zip', factors: { 'model.dropout': [0.1, 0.5], 'training.optimizer.momentum': [0.5, 0.99] } });
  assert.deepEqual(e.cells.map((c) => c.label), ['model.dropout=0.1, training.optimizer.momentum=0.5', 'model.dropout=0.5, training.optimizer.momentum=0.99']);
  const spec = e.cells[1].spec;
  assert.deepEqual(spec.data, {
    dataset: 'fashion-mnist',
    task: { oneVsRest: 3 },
    subset: { perClass: 50, seed: 2 },
    split: { count: 100, take: 'random', stratify: false },
    preprocess: { name: 'standardize', per: 'global' },
    augment: { steps: [{ name: 'flip' }, { name: 'rotate', degrees: 10 }], seed: 4 },
    shuffle: false,
    flatten: false,
    view: 'image',
  });
  assert.equal(e.evaluateTest, 'best', 'a study evaluates only the config chosen on validation');
  assert.equal(spec.evaluateTest, false, 'so no run evaluates at its end');
  const t = spec.training;
  assert.deepEqual([t.optimizer.name, t.optimizer.lr, t.optimizer.momentum], ['sgd', 0.05, 0.99]);
  assert.deepEqual(t.loss, { name: 'sparseCategoricalCrossentropy', fromLogits: false });
  assert.deepEqual(t.metrics.map((m) => (m as { name: string }).name), ['accuracy', 'f1']);
  assert.deepEqual([t.epochs, t.batchSize, t.classWeight], [4, 16, { 0: 1, 1: 5 }]);
  assert.deepEqual(t.callbacks, [{ name: 'earlyStopping', patience: 2 }, { name: 'terminateOnNaN' }]);
  const dropouts = spec.model.layers.filter((l) => l.type === 'dropout').map((l) => l.rate);
  assert.deepEqual(dropouts, [0.5, 0.5]);
  assert.deepEqual(spec.model.layers[0], { type: 'conv2d', filters: 4, kernelSize: 5, padding: 'valid', kernelInitializer: 'heNormal', useBias: false });
  assert.deepEqual(spec.model.layers[2], { type: 'activation', activation: { name: 'leakyRelu', alpha: 0.1 } });
  assert.deepEqual(spec.model.layers[3], { type: 'avgPool2d', poolSize: 2 });
});

test('the experiment as written round-trips: its raw form, as YAML or JSON, loads to the same cells', () => {
  const e = parseExperiment(FULL, '/somewhere/full.yaml');
  const again = parseExperiment(stringify(e.raw), '/somewhere/full.yaml');
  const json = parseExperiment(JSON.stringify(e.raw, null, 2), '/somewhere/full.json');
  assert.deepEqual(again.cells, e.cells);
  assert.deepEqual(json.cells, e.cells);
  assert.deepEqual(JSON.parse(JSON.stringify(e.cells)), e.cells, 'cells are plain JSON data');
});

test('JSON is accepted, with errors at their line, and a $schema field is allowed', () => {
  const text = '{\n  "$schema": "../schema/experiment.schema.json",\n  "data": { "dataset": "mnist" },\n  "model": { "template": "mlp", "units": [8] },\n  "training": {\n    "epochs": "3"\n  }\n}\n';
  const f = failure(text);
  assert.deepEqual([f.line, f.path], [6, 'training.epochs'], f.message);
  const ok = parseExperiment(text.replace('"3"', '3'), 'exp.json');
  assert.equal(ok.name, 'exp');
  assert.equal(ok.cells[0].spec.training.epochs, 3);
});

test('defaults are the ones Keras users expect', () => {
  const e = parseExperiment('data: { dataset: mnist }\n' + MODEL, null);
  assert.deepEqual([e.name, e.description, e.seed, e.repeats, e.study, e.baselines, e.file], ['experiment', null, 0, 1, null, [], null]);
  assert.equal(e.cells.length, 1);
  assert.deepEqual([e.cells[0].label, e.cells[0].values], ['', {}]);
  const { data, training, evaluateTest } = e.cells[0].spec;
  assert.deepEqual(data, {
    dataset: 'mnist',
    task: 'multiclass',
    subset: null,
    split: { fraction: 0.2, take: 'random', stratify: true },
    preprocess: 'scale',
    augment: null,
    shuffle: true,
    flatten: false,
    view: 'image',
  });
  assert.equal(evaluateTest, false);
  assert.deepEqual([training.optimizer.name, training.optimizer.lr, training.epochs, training.batchSize], ['adam', 0.001, 10, 32]);
  assert.deepEqual(training.metrics, [{ name: 'accuracy', threshold: 0.5 }]);
  assert.deepEqual([training.callbacks, training.classWeight], [[], null]);
});

test('overrides set any field path before checking; a bad one is an error naming the override', () => {
  const text = 'data: { dataset: mnist }\n' + MODEL + 'training:\n  optimizer: adam\n';
  const e = parseExperiment(text, 'exp.yaml', { overrides: ['training.epochs=3', 'model.units=[64,32]', 'training.optimizer.lr=0.01', 'data.subset.perClass=5', 'seed=4'] });
  const spec = e.cells[0].spec;
  assert.equal(spec.training.epochs, 3);
  assert.deepEqual(spec.model.layers.filter((l) => l.type === 'dense').map((l) => l.units), [64, 32, 'classes']);
  assert.deepEqual([spec.training.optimizer.name, spec.training.optimizer.lr], ['adam', 0.01]);
  assert.deepEqual(spec.data.subset, { perClass: 5 });
  assert.equal(e.seed, 4);
  assert.deepEqual((e.raw as { training: { epochs: number } }).training.epochs, 3, 'raw holds the experiment after overrides');
  // Later overrides win; the default optimizer is what `training.optimizer.lr` reaches into when none is written.
  const d = parseExperiment('data: { dataset: mnist }\n' + MODEL, null, { overrides: ['training.epochs=2', 'training.epochs=5', 'training.optimizer.lr=0.5'] });
  assert.deepEqual([d.cells[0].spec.training.epochs, d.cells[0].spec.training.optimizer.name, d.cells[0].spec.training.optimizer.lr], [5, 'adam', 0.5]);

  const bad = (o: string) => failure(text, { overrides: [o] });
  let f = bad('training.epoch=3');
  assert.deepEqual([f.path, f.line], ['training.epoch', undefined]);
  assert.match(f.message, /^exp\.yaml: training\.epoch: .*did you mean 'training\.epochs'\?.*\(from --set training\.epoch=3\)$/);
  f = bad('training.epochs=abc');
  assert.deepEqual([f.path, f.line], ['training.epochs', undefined]);
  assert.match(f.message, /expected an integer, got "abc" \(from --set training\.epochs=abc\)/);
  f = bad('model.activation=rleu');
  assert.match(f.message, /model\.activation: unknown activation 'rleu' .*\(from --set model\.activation=rleu\)/);
  f = bad('training.epochs');
  assert.match(f.message, /--set: expected path=value/);
  f = bad('training..epochs=3');
  assert.match(f.message, /^exp\.yaml: --set: 'training\.\.epochs' is not a field path .*\(from --set training\.\.epochs=3\)$/);
  f = bad('model.units[5]=3');
  assert.equal(f.message, 'exp.yaml: model.units[5]: model.units has 1 entries; [5] does not exist (from --set model.units[5]=3)');
  f = bad('training.optimizer.lr={a: [');
  assert.match(f.message, /cannot read the value/);
});

test('loadExperiment reads a file; a missing file is a ConfigError naming it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-exp-'));
  const file = path.join(dir, 'small.yaml');
  writeFileSync(file, 'data: { dataset: { idx: ./idx-files } }\n' + MODEL);
  const e = loadExperiment(file);
  assert.equal(e.file, file);
  assert.equal(e.name, 'small');
  assert.deepEqual(e.cells[0].spec.data.dataset, { idx: path.join(dir, 'idx-files') }, 'relative paths start at the file');
  assert.throws(() => loadExperiment(path.join(dir, 'nope.yaml')), (err: unknown) => err instanceof ConfigError && /nope\.yaml: cannot read the experiment file: no such file/.test(err.message));
});

test('checking an experiment leaves no tensors behind', () => {
  parseExperiment(FULL, null); // warm-up: lazily created native state
  const before = liveTensors().tensors;
  for (let i = 0; i < 3; i++) parseExperiment(FULL, null);
  assert.throws(() => parseExperiment('data: { dataset: mnist }\n' + MODEL + 'training: { optimizer: { name: adam, lr: -1 } }\n', null), ConfigError);
  assert.equal(liveTensors().tensors, before);
});

test('only a regular experiment file of at most 4 MiB is read: /dev/zero, a FIFO, a folder and a larger file are refused unread', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-exp-'));
  const refused = (file: string, pattern: RegExp) =>
    assert.throws(() => loadExperiment(file), (err: unknown) => err instanceof ConfigError && err.file === file && pattern.test(err.message) && !err.message.includes('\n'));
  refused('/dev/zero', /^\/dev\/zero: the experiment file is a character device, not a regular file; only regular files are read$/);
  // A FIFO with no writer: opening it for reading would wait forever.
  const fifo = path.join(dir, 'fifo.yaml');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  refused(fifo, /fifo\.yaml: the experiment file is a FIFO \(named pipe\), not a regular file/);
  refused(dir, /: the experiment file is a folder, not a regular file/);
  // 5 MiB (sparse: nothing is written, and nothing must be read).
  const big = path.join(dir, 'big.yaml');
  writeFileSync(big, 'data: { dataset: mnist }\n' + MODEL);
  truncateSync(big, 5 * 1024 * 1024);
  assert.equal(MAX_EXPERIMENT_BYTES, 4 * 1024 * 1024);
  refused(big, /big\.yaml: the experiment file is 5 MiB, more than the 4 MiB an experiment file may have$/);
});

test('a YAML alias bomb is one ConfigError at the first alias, not the YAML library\'s error', () => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) levels.push(`${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9).fill(`*${'abcdefgh'[i - 1]}`).join(', ')}]`);
  const f = failure(levels.join('\n') + '\n');
  assert.deepEqual([f.file, f.line, f.path], ['exp.yaml', 2, '']);
  assert.match(f.message, /^exp\.yaml:2: invalid YAML: its aliases expand to too much data \(more than 1000 copies\)/);
  // Aliases used in moderation still work.
  const ok = parseExperiment('data: { dataset: mnist }\nmodel: { template: mlp, units: &u [8] }\nstudy: { factors: { model.units: [*u, [16]] } }\n', null);
  assert.equal(ok.cells.length, 2);
});

test('an alias inside the value it names (a cycle) is a ConfigError at its line, in the file and in --set', () => {
  const f = failure('data: { dataset: mnist }\nmodel: { template: mlp, units: &a [8, *a] }\n');
  assert.deepEqual([f.line, f.path], [2, '']);
  assert.match(f.message, /^exp\.yaml:2: invalid YAML: the alias \*a is inside the value it names \(a cycle\)/);
  const o = failure('data: { dataset: mnist }\n' + MODEL, { overrides: ['description=&d { again: *d }'] });
  assert.match(o.message, /^exp\.yaml: description: cannot read the value '&d \{ again: \*d \}' as YAML: the alias \*d is inside the value it names \(a cycle\) \(from --set description=/);
});

test('a file nested thousands deep is a short ConfigError, not a stack overflow', () => {
  const f = failure(`data: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
  assert.match(f.message, /^exp\.yaml:1: data\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]\[0\]…: invalid YAML: nested too deeply \(column \d+\)$/);
});

test('the seed is checked where it is read: a safe integer, repeats included, with its file and line', () => {
  expectError('data: { dataset: mnist }\n' + MODEL + 'seed: 1e300\n', 3, 'seed', 'must be <= 9007199254740991, got 1e+300');
  expectError('data: { dataset: mnist, subset: { perClass: 5, seed: 1e300 } }\n' + MODEL, 1, 'data.subset.seed', 'must be <= 9007199254740991');
  expectError('data: { dataset: mnist }\n' + MODEL + 'seed: 9007199254740990\nrepeats: 3\n', 3, 'seed', 'runs take seeds up to seed + 2, past 9007199254740991');
  assert.equal(parseExperiment('data: { dataset: mnist }\n' + MODEL + 'seed: 9007199254740989\nrepeats: 3\n', null).seed, 9007199254740989);
});

test('every integer field is one a double holds exactly (1e300 is refused at its line, not when a run uses it)', () => {
  expectError('data: { dataset: mnist }\n' + MODEL + 'training: { batchSize: 1e300 }\n', 3, 'training.batchSize', 'must be <= 9007199254740991, got 1e+300');
  expectError('data: { dataset: mnist, subset: { perClass: 1e300 } }\n' + MODEL, 1, 'data.subset.perClass', 'must be <= 9007199254740991');
  expectError('data: { dataset: mnist }\nmodel: { template: mlp, units: [8, 1e300] }\n', 2, 'model.units[1]', 'must be <= 9007199254740991');
});
