// Studies: crossed and zipped factors, their cells and labels, and every way a study section can be wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../engine/errors.js';
import { parseExperiment, type LoadOptions } from './experiment.js';

const BASE = 'data: { dataset: mnist }\nmodel:\n  template: mlp\n  units: [8]\n'; // lines 1-4

function failure(text: string, options: LoadOptions = {}): ConfigError {
  try {
    parseExperiment(text, 'study.yaml', options);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('no error');
}

test('crossed factors give every combination, the first factor varying slowest', () => {
  const e = parseExperiment(
    BASE + 'study:\n  factors:\n    model.activation: [sigmoid, relu, selu]\n    training.optimizer.lr: [0.1, 0.01]\n',
    null,
  );
  assert.equal(e.study?.mode, 'cross');
  assert.deepEqual(
    e.cells.map((c) => c.label),
    [
      'model.activation=sigmoid, training.optimizer.lr=0.1',
      'model.activation=sigmoid, training.optimizer.lr=0.01',
      'model.activation=relu, training.optimizer.lr=0.1',
      'model.activation=relu, training.optimizer.lr=0.01',
      'model.activation=selu, training.optimizer.lr=0.1',
      'model.activation=selu, training.optimizer.lr=0.01',
    ],
  );
  // Each cell's spec carries its values: the hidden layer's activation and the optimizer's lr.
  for (const cell of e.cells) {
    const hidden = cell.spec.model.layers[1];
    assert.equal(hidden.activation, cell.values['model.activation']);
    assert.equal(cell.spec.training.optimizer.lr, cell.values['training.optimizer.lr']);
    assert.equal(cell.spec.training.optimizer.name, 'adam');
  }
  // Cells do not share objects: changing one leaves the others as they were.
  e.cells[0].spec.model.layers[1].units = 99;
  assert.equal(e.cells[1].spec.model.layers[1].units, 8);
});

test('three crossed factors multiply; lists are labelled [64,32] and components sgd(lr=0.1)', () => {
  const e = parseExperiment(
    BASE + 'study:\n  factors:\n    model.units: [[64], [64, 32]]\n    training.batchSize: [32, 64]\n    training.optimizer: [adam, { name: sgd, lr: 0.1 }]\n',
    null,
  );
  assert.equal(e.cells.length, 8);
  assert.equal(e.cells[7].label, 'model.units=[64,32], training.batchSize=64, training.optimizer=sgd(lr=0.1)');
  assert.deepEqual(e.cells[7].spec.model.layers.filter((l) => l.type === 'dense').map((l) => l.units), [64, 32, 'classes']);
  assert.deepEqual([e.cells[7].spec.training.optimizer.name, e.cells[7].spec.training.optimizer.lr], ['sgd', 0.1]);
});

test('zipped factors take their i-th values together', () => {
  const e = parseExperiment(
    BASE + 'study:\n  mode: zip\n  factors:\n    model.units: [[32], [64], [128]]\n    training.batchSize: [16, 32, 64]\n',
    null,
  );
  assert.deepEqual(
    e.cells.map((c) => c.label),
    ['model.units=[32], training.batchSize=16', 'model.units=[64], training.batchSize=32', 'model.units=[128], training.batchSize=64'],
  );
  assert.deepEqual(e.cells.map((c) => c.spec.training.batchSize), [16, 32, 64]);
  assert.deepEqual(e.study, { mode: 'zip', factors: { 'model.units': [[32], [64], [128]], 'training.batchSize': [16, 32, 64] } });
});

test('zipped factors of different lengths are an error at the factor that differs', () => {
  const e = failure(BASE + 'study:\n  mode: zip\n  factors:\n    model.activation: [relu, selu]\n    training.optimizer.lr: [0.1, 0.01, 0.001]\n');
  assert.deepEqual([e.path, e.line], ['study.factors.training.optimizer.lr', 9]);
  assert.match(e.message, /same length: model\.activation has 2, training\.optimizer\.lr has 3/);
});

test('a factor path that does not exist is an error at its line, with the closest path', () => {
  let e = failure(BASE + 'study:\n  factors:\n    model.activaton: [relu, selu]\n');
  assert.deepEqual([e.path, e.line, e.file], ['study.factors.model.activaton', 7, 'study.yaml']);
  assert.match(e.message, /'model\.activaton' is not a field of the experiment: model has no field 'activaton' \(did you mean 'model\.activation'\?\)/);
  e = failure(BASE + 'study:\n  factors:\n    training.optimiser.lr: [0.1]\n');
  assert.deepEqual([e.path, e.line], ['study.factors.training.optimiser.lr', 7]);
  assert.match(e.message, /did you mean 'training\.optimizer\.lr'\?/);
  e = failure(BASE + 'study:\n  factors:\n    data.split.fractoin: [0.1]\n');
  assert.match(e.message, /did you mean 'data\.split\.fraction'\?/);
  // Inside a component, the factory names the unknown parameter, at the factor's value.
  e = failure(BASE + 'study:\n  factors:\n    training.optimizer.lrr: [0.1, 0.2]\n');
  assert.deepEqual([e.path, e.line], ['training.optimizer.lrr', 7]);
  assert.match(e.message, /did you mean 'lr'\?.*\(study factor training\.optimizer\.lrr, value 1\)/);
});

test('a bad factor value is reported at its own line in the study section', () => {
  const e = failure(BASE + 'study:\n  factors:\n    model.activation:\n      - relu\n      - rleu\n');
  assert.deepEqual([e.path, e.line], ['model.activation', 9]);
  assert.match(e.message, /unknown activation 'rleu' \(did you mean 'relu'\?\).*\(study factor model\.activation, value 2\)/);
  const t = failure(BASE + 'study:\n  factors:\n    training.epochs:\n      - 3\n      - three\n');
  assert.deepEqual([t.path, t.line], ['training.epochs', 9]);
  assert.match(t.message, /expected an integer, got "three"/);
});

test('the study section itself is checked: mode, empty factors, repeated values, overlaps, what may vary', () => {
  let e = failure(BASE + 'study:\n  mode: crossed\n  factors: { model.units: [[4]] }\n');
  assert.deepEqual([e.path, e.line], ['study.mode', 6]);
  assert.match(e.message, /unknown value 'crossed' \(did you mean 'cross'\?\)/);
  e = failure(BASE + 'study:\n  factors: {}\n');
  assert.deepEqual([e.path, e.line], ['study.factors', 6]);
  e = failure(BASE + 'study:\n  factors:\n    model.activation: []\n');
  assert.deepEqual([e.path, e.line], ['study.factors.model.activation', 7]);
  e = failure(BASE + 'study:\n  factors:\n    model.activation: relu\n');
  assert.match(e.message, /expected a list or an object, got "relu"/);
  e = failure(BASE + 'study:\n  factors:\n    model.activation:\n      - relu\n      - selu\n      - relu\n');
  assert.deepEqual([e.path, e.line], ['study.factors.model.activation[2]', 10]);
  assert.match(e.message, /"relu" is listed twice/);
  e = failure(BASE + 'study:\n  factors:\n    model: [{ template: mlp, units: 4 }]\n    model.units: [[4]]\n');
  assert.deepEqual([e.path, e.line], ['study.factors.model.units', 8]);
  assert.match(e.message, /lies inside factor 'model'/);
  e = failure(BASE + 'study:\n  factors:\n    seed: [1, 2]\n');
  assert.deepEqual([e.path, e.line], ['study.factors.seed', 7]);
  assert.match(e.message, /data, model, training; 'seed' is not one/);
  e = failure(BASE + 'study:\n  factors:\n    model..units: [1]\n');
  assert.deepEqual([e.path, e.line], ['study.factors.model..units', 7]);
  assert.match(e.message, /is not a field path/);
});

test('a field only the factors give is not missing from the file', () => {
  const e = parseExperiment('data: { dataset: mnist }\nmodel:\n  template: mlp\nstudy:\n  factors:\n    model.units: [[8], [16]]\n', null);
  assert.deepEqual(e.cells.map((c) => c.spec.model.layers[1].units), [8, 16]);
  const whole = parseExperiment('data: { dataset: mnist }\nstudy:\n  factors:\n    model: [{ template: mlp, units: 4 }, { template: cnn, filters: 4 }]\n', null);
  assert.deepEqual(whole.cells.map((c) => c.spec.model.layers[0].type), ['flatten', 'conv2d']);
});

test('factors reach into layer lists by index', () => {
  const e = parseExperiment(
    'data: { dataset: mnist }\nmodel:\n  layers:\n    - { type: flatten }\n    - { type: dropout, rate: 0.1 }\n    - { type: dense, units: classes, activation: softmax }\nstudy:\n  factors:\n    model.layers[1].rate: [0.2, 0.5]\n',
    null,
  );
  assert.deepEqual(e.cells.map((c) => [c.label, c.spec.model.layers[1].rate]), [['model.layers[1].rate=0.2', 0.2], ['model.layers[1].rate=0.5', 0.5]]);
  const bad = failure('data: { dataset: mnist }\nmodel:\n  layers:\n    - { type: dense, units: classes, activation: softmax }\nstudy:\n  factors:\n    model.layers[3].units: [4]\n');
  assert.deepEqual([bad.path, bad.line, bad.file], ['model.layers[3].units', 7, 'study.yaml']);
  assert.match(bad.message, /model\.layers has 1 entries; \[3\] does not exist \(study factor model\.layers\[3\]\.units, value 1\)/);
});

test('overrides reach the study; an override of a field the study varies is an error', () => {
  const e = parseExperiment(BASE + 'study:\n  factors:\n    model.activation: [relu, selu]\n', null, {
    overrides: ['study.factors.model.activation=[tanh, gelu, elu]', 'study.mode=zip'],
  });
  assert.deepEqual(e.cells.map((c) => c.label), ['model.activation=tanh', 'model.activation=gelu', 'model.activation=elu']);
  const bad = failure(BASE + 'study:\n  factors:\n    model.activation: [relu, selu]\n', { overrides: ['model.activation=tanh'] });
  assert.equal(bad.path, 'model.activation');
  assert.match(bad.message, /the study varies model\.activation.*\(from --set model\.activation=tanh\)/);
  const removed = parseExperiment(BASE + 'study:\n  factors:\n    model.activation: [relu, selu]\n', null, { overrides: ['study=null'] });
  assert.deepEqual([removed.study, removed.cells.length], [null, 1]);
});

test('a factor and the file spelling the same parameter differently is reported as given twice', () => {
  const e = failure(BASE + 'training:\n  optimizer: { name: adam, learning_rate: 0.01 }\nstudy:\n  factors:\n    training.optimizer.lr: [0.1]\n');
  assert.equal(e.path, 'training.optimizer.lr');
  assert.match(e.message, /given twice/);
});

test("zipped factors may repeat a value down a column (seed 000's table of trials); a whole repeated row is an error", () => {
  const e = parseExperiment(
    BASE + 'training: { optimizer: { name: sgd } }\nstudy:\n  mode: zip\n  factors:\n    training.optimizer.momentum: [0.5, 0.1, 0.1]\n    training.optimizer.lr: [0.07, 0.07, 0.01]\n',
    null,
  );
  assert.deepEqual(e.cells.map((c) => [c.spec.training.optimizer.momentum, c.spec.training.optimizer.lr]), [[0.5, 0.07], [0.1, 0.07], [0.1, 0.01]]);
  const err = failure(BASE + 'study:\n  mode: zip\n  factors:\n    model.activation: [relu, tanh, relu]\n    training.batchSize: [10, 20, 10]\n');
  assert.deepEqual([err.path, err.line], ['study.factors.model.activation[2]', 8]);
  assert.match(err.message, /zipped value 3 repeats value 1 of every factor: .*use repeats/);
});

test('named levels: labels and run records show the name, the config gets the value', () => {
  const e = parseExperiment(BASE + 'study:\n  factors:\n    training.optimizer:\n      SGD: { name: sgd, lr: 0.1 }\n      Adam: { name: adam, lr: 0.01 }\n', null);
  assert.deepEqual(e.cells.map((c) => c.label), ['training.optimizer=SGD', 'training.optimizer=Adam']);
  assert.deepEqual(e.cells.map((c) => c.values), [{ 'training.optimizer': 'SGD' }, { 'training.optimizer': 'Adam' }]);
  assert.deepEqual(e.cells.map((c) => [c.spec.training.optimizer.name, c.spec.training.optimizer.lr]), [['sgd', 0.1], ['adam', 0.01]]);
  // A bad level is reported at its own line, with its name.
  const err = failure(BASE + 'study:\n  factors:\n    training.optimizer:\n      SGD: { name: sgd, lr: 0.1 }\n      Bad: { name: adamm }\n');
  assert.equal(err.line, 9);
  assert.match(err.message, /unknown optimizer 'adamm'.*\(study factor training\.optimizer, value 2 'Bad'\)/);
});

test('one factor sets several paths: one activation on every hidden layer of a layer list', () => {
  const layers = 'model:\n  layers:\n    - { type: flatten }\n    - { type: dense, units: 8 }\n    - { type: dropout, rate: 0.5 }\n    - { type: dense, units: 4 }\n    - { type: dense, units: classes, activation: softmax }\n';
  const e = parseExperiment(
    `data: { dataset: mnist }\n${layers}study:\n  factors:\n    activation:\n      paths: [model.layers.1.activation, model.layers.3.activation]\n      values: { sigmoid: sigmoid, LeakyReLU: { name: leakyRelu, alpha: 0.5 } }\n`,
    null,
  );
  assert.deepEqual(e.cells.map((c) => c.label), ['activation=sigmoid', 'activation=LeakyReLU']);
  assert.deepEqual(e.cells[1].spec.model.layers.map((l) => l.activation), [undefined, { name: 'leakyRelu', alpha: 0.5 }, undefined, { name: 'leakyRelu', alpha: 0.5 }, 'softmax']);
  const bad = failure(`data: { dataset: mnist }\n${layers}study:\n  factors:\n    activation:\n      paths: [model.layers.1.activaton]\n      values: [relu]\n`);
  assert.match(bad.message, /model\.layers\[1\]\.activaton: unknown field of dense 'activaton'.*\(study factor activation, value 1\)/);
  const overlap = failure(`data: { dataset: mnist }\n${layers}study:\n  factors:\n    model.layers: [[{ type: flatten }]]\n    activation:\n      paths: [model.layers.1.activation]\n      values: [relu]\n`);
  assert.match(overlap.message, /path 'model.layers.1.activation' of factor 'activation' lies inside factor 'model.layers'/);
});

test('the study chooses its comparison metric and direction; a study without factors repeats one config', () => {
  const e = parseExperiment(BASE + 'repeats: 3\nstudy:\n  metric: val.precision\n', null);
  assert.deepEqual(e.study, { mode: 'cross', factors: {}, metric: 'val.precision' });
  assert.equal(e.cells.length, 1);
  const loss = parseExperiment(BASE + 'study:\n  metric: val.loss\n  direction: min\n  factors: { model.units: [[4], [8]] }\n', null);
  assert.deepEqual([loss.study?.metric, loss.study?.direction], ['val.loss', 'min']);
  const bad = failure(BASE + 'study:\n  metric: precision\n');
  assert.deepEqual([bad.path, bad.line], ['study.metric', 6]);
  assert.match(bad.message, /expected <split>\.<metric>, such as val\.accuracy/);
});

test("evaluateTest: true is the single config's runs, or in a study only the config chosen on validation; 'all' is every run", () => {
  const single = parseExperiment(BASE + 'evaluateTest: true\n', null);
  assert.deepEqual([single.evaluateTest, single.cells[0].spec.evaluateTest], ['all', true]);
  const study = (v: string) => parseExperiment(`${BASE}evaluateTest: ${v}\nstudy:\n  factors: { model.units: [[4], [8]] }\n`, null);
  assert.deepEqual([study('true').evaluateTest, study('true').cells.map((c) => c.spec.evaluateTest)], ['best', [false, false]]);
  assert.deepEqual([study('all').evaluateTest, study('all').cells.map((c) => c.spec.evaluateTest)], ['all', [true, true]]);
  assert.equal(study('false').evaluateTest, 'none');
  assert.match(failure(`${BASE}evaluateTest: some\n`).message, /unknown value 'some'.*valid: best, all/);
});

test('mlp dropout: one rate per hidden layer', () => {
  const e = parseExperiment('data: { dataset: mnist }\nmodel: { template: mlp, units: [256, 128, 64], dropout: [0, 0.5, 0] }\n', null);
  assert.deepEqual(e.cells[0].spec.model.layers.map((l) => l.type), ['flatten', 'dense', 'dense', 'dropout', 'dense', 'dense']);
  const bad = failure('data: { dataset: mnist }\nmodel: { template: mlp, units: [256, 128], dropout: [0.5] }\n');
  assert.deepEqual([bad.path, bad.line], ['model.dropout', 2]);
  assert.match(bad.message, /gives 1 dropout rates for 2 hidden layers/);
});

test("a 'set' factor: each level sets fields of its own, the others keep the file's values", () => {
  const e = parseExperiment(
    BASE + 'study:\n  factors:\n    regularisation:\n      set:\n        none: {}\n        dropout: { model.dropout: 0.5 }\n        L2: { model.regularizer: { name: l2, l2: 0.01 }, training.epochs: 3 }\n',
    null,
  );
  assert.deepEqual(e.cells.map((c) => c.label), ['regularisation=none', 'regularisation=dropout', 'regularisation=L2']);
  assert.deepEqual(e.cells.map((c) => c.spec.model.layers.some((l) => l.type === 'dropout')), [false, true, false]);
  assert.deepEqual(e.cells.map((c) => c.spec.training.epochs), [10, 10, 3]);
  assert.deepEqual(e.cells[2].spec.model.layers[1].kernelRegularizer, { name: 'l2', l2: 0.01 });
  const bad = failure(BASE + 'study:\n  factors:\n    regularisation:\n      set:\n        a: { model.dropot: 0.5 }\n');
  assert.deepEqual([bad.path, bad.line], ['study.factors.regularisation.set.a.model.dropot', 9]);
  assert.match(bad.message, /did you mean 'model\.dropout'/);
  const inside = failure(BASE + 'study:\n  factors:\n    model: [{ template: mlp, units: 4 }]\n    regularisation:\n      set:\n        a: { model.dropout: 0.5 }\n');
  assert.match(inside.message, /lies inside factor 'model'/);
});

test('factors that cross into more configurations than a study takes are one error, before any is made', () => {
  const ten = (f: (i: number) => string) => `[${Array.from({ length: 10 }, (_, i) => f(i + 1)).join(', ')}]`;
  const factors = [
    `training.epochs: ${ten(String)}`,
    `training.batchSize: ${ten(String)}`,
    `data.subset.perClass: ${ten(String)}`,
    `training.optimizer.lr: ${ten((i) => `${i / 100}`)}`,
    `data.split.fraction: ${ten((i) => `0.${i === 10 ? '15' : i}`)}`,
    `model.units: ${ten((i) => `[${i}]`)}`,
  ];
  const e = failure(`${BASE}study:\n  factors:\n${factors.map((f) => `    ${f}\n`).join('')}`);
  assert.equal(e.line, 6, e.message);
  assert.equal(e.path, 'study.factors');
  assert.match(e.message, /the factors cross into 1,000,000 configurations \(10 x 10 x 10 x 10 x 10 x 10\), more than the 10,000 a study takes; use fewer values, or a search \(tune:\) to sample the space/);
});
