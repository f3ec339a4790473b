// The published schema is the one the validator uses; the examples reference it and load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { packageRoot } from '../../engine/native.js';
import { ACTIVATION_NAMES } from '../../nn/activations.js';
import { OPTIMIZER_NAMES } from '../../optim/optimizers.js';
import { EXPERIMENT_SCHEMA } from './schema.js';
import { SCHEMA_FILE, schemaText } from './write-schema.js';
import { loadExperiment } from './experiment.js';

test('schema/experiment.schema.json is the schema the validator compiles (regenerate: node dist/src/lab/experiment/write-schema.js)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaText());
  assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), EXPERIMENT_SCHEMA);
  // A draft-07 validator that knows nothing of nnlab accepts it as a schema.
  const ajv = new Ajv({ allowUnionTypes: true });
  assert.equal(ajv.validateSchema(EXPERIMENT_SCHEMA), true, JSON.stringify(ajv.errors));
});

test("the schema's name lists come from the registries", () => {
  const text = schemaText();
  for (const n of [...ACTIVATION_NAMES, ...OPTIMIZER_NAMES]) assert.ok(text.includes(`"${n}"`), n);
});

const SEEDS = path.join(packageRoot, 'examples', 'seeds');
const EXAMPLES = [
  ...['mnist-mlp.yaml', 'fashion-activations.yaml', 'sequential-mnist-lstm.yaml'].map((f) => path.join(packageRoot, 'examples', f)),
  ...readdirSync(SEEDS).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(SEEDS, f)),
];

test('the examples reference the published schema and load', () => {
  for (const file of EXAMPLES) {
    const first = readFileSync(file, 'utf8').split('\n')[0];
    const m = /^# yaml-language-server: \$schema=(.+)$/.exec(first);
    assert.ok(m, `${file} starts with the schema comment`);
    assert.equal(path.resolve(path.dirname(file), m[1]), SCHEMA_FILE);
    assert.ok(existsSync(SCHEMA_FILE));
    // The schema alone (without nnlab's factories) accepts the example as written.
    const validate = new Ajv({ allowUnionTypes: true }).compile(EXPERIMENT_SCHEMA);
    assert.equal(validate(parse(readFileSync(file, 'utf8'))), true, JSON.stringify(validate.errors));
  }
  const mlp = loadExperiment(EXAMPLES[0]);
  assert.equal(mlp.cells.length, 1);
  const spec = mlp.cells[0].spec;
  assert.deepEqual(spec.model.layers.map((l) => [l.type, l.units ?? null, l.activation ?? null]), [
    ['flatten', null, null],
    ['dense', 800, 'relu'],
    ['dense', 'classes', 'softmax'],
  ]);
  assert.deepEqual([spec.data.dataset, spec.training.optimizer.name, spec.training.optimizer.lr, spec.training.batchSize, spec.training.epochs], ['mnist', 'adam', 0.00168, 256, 10]);
  const fashion = loadExperiment(EXAMPLES[1]);
  assert.deepEqual([fashion.repeats, fashion.cells.length], [2, 4]);
  assert.deepEqual(fashion.cells.map((c) => c.values['model.activation']), ['sigmoid', 'relu', 'selu', 'leakyRelu']);
  assert.equal(fashion.cells[0].spec.data.dataset, 'fashion-mnist');
  assert.equal(fashion.cells[0].spec.data.subset, null, 'the whole dataset, as the seeds compared');
  assert.ok(fashion.cells.every((c) => c.spec.training.epochs <= 5 && c.spec.model.layers[1].units === 128));
});

test("the seed studies load as their reports set them up", () => {
  const seed = (name: string) => loadExperiment(path.join(SEEDS, name));
  const table = seed('000-hyperparameters.yaml');
  assert.deepEqual(
    table.cells.map((c) => [c.spec.training.optimizer.momentum, c.spec.training.optimizer.lr, c.spec.training.batchSize, c.spec.training.epochs]),
    [[0.5, 0.07, 100, 100], [0.1, 0.07, 100, 100], [0.1, 0.01, 100, 100], [0.1, 0.05, 100, 100], [0.1, 0.1, 1000, 100], [0.1, 0.1, 1000, 10], [0.1, 0.000001, 1000, 10], [0.1, 0.07, 1000, 100], [0, 0.1, 1000, 100]],
  );
  assert.deepEqual([table.study?.metric, table.repeats], ['val.loss', 3]);
  const pets = seed('002-dogs-vs-cats.yaml');
  assert.equal(pets.cells.length, 4);
  assert.equal((pets.cells[0].spec.data.dataset as { imageFolder: { path: string } }).imageFolder.path, path.join(SEEDS, 'data', 'pets'));
  assert.deepEqual(pets.cells.map((c) => c.spec.data.shuffle), [true, false, true, false]);
  const reg = seed('004-regularization.yaml');
  assert.deepEqual(reg.cells.map((c) => c.values.regularisation), ['none', 'dropout 0.5', 'L2(0.01)', 'L1(0.01)', 'batch norm', 'early stopping']);
  const final = seed('004-final-model.yaml');
  assert.deepEqual([final.evaluateTest, final.cells[0].spec.training.optimizer.decay, (final.cells[0].spec.training.loss as { name: string }).name], ['all', 0.01, 'categoricalCrossentropy']);
});
