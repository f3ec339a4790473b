// The published schema is the one the validator uses; the examples reference it and load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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

const EXAMPLES = ['mnist-mlp.yaml', 'fashion-activations.yaml'].map((f) => path.join(packageRoot, 'examples', f));

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
