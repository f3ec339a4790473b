// The `tune:` section of an experiment file: every kind of bad input is one ConfigError naming the file, the line
// and the field path, before any trial; a good section becomes the search spec, and a trial's config is the
// file's with its parameters set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../engine/errors.js';
import { parseExperiment } from './experiment.js';

const BASE = `data: { dataset: mnist, subset: { perClass: 10 } }
model: { template: mlp, units: [8], initializer: { name: randomNormal, stddev: 0.05 } }
training: { epochs: 2 }
`;

/** An experiment whose tune section is `tune` (indented YAML lines after 'tune:'). */
function withTune(tune: string): string {
  return `${BASE}tune:\n${tune}`;
}

function expectError(text: string, line: number | undefined, path: string, ...fragments: (string | RegExp)[]): void {
  try {
    parseExperiment(text, 'exp.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.file, 'exp.yaml');
    assert.deepEqual([e.line, e.path], [line, path], e.message);
    for (const f of fragments) assert.match(e.message, typeof f === 'string' ? new RegExp(f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : f);
    return;
  }
  assert.fail(`no error for:\n${text}`);
}

test('a tune section: objective, sampler, pruner, budget and space as written, defaults filled in', () => {
  const exp = parseExperiment(
    withTune(`  objective: { metric: val.loss, reduce: last }
  sampler: { name: tpe, n_startup_trials: 3 }
  pruner: median
  trials: 7
  executionsPerTrial: 2
  space:
    training.optimizer.lr: { type: float, low: 0.0001, high: 0.1, log: true }
    model.units: { type: choice, values: [[8], [16]] }
    model.batchNorm: { type: bool }
    training.batchSize: 16
`),
    'exp.yaml',
  );
  const t = exp.tune!;
  assert.deepEqual(t.objective, { metric: 'val.loss', direction: 'min', reduce: 'last' });
  assert.deepEqual([t.trials, t.executionsPerTrial, t.timeoutS, t.seed], [7, 2, null, 0]);
  assert.deepEqual(t.sampler, { name: 'tpe', n_startup_trials: 3 });
  assert.deepEqual(t.space.params.map((p) => p.name), ['training.optimizer.lr', 'model.units', 'model.batchNorm']);
  assert.deepEqual(t.space.fixed, [{ name: 'training.batchSize', value: 16 }]);
  assert.equal(exp.evaluateTest, 'best', 'a search evaluates its best trial on the test set unless told not to');
  assert.equal(exp.repeats, 2);
  // The corner configs cover both ends of the range and every choice value.
  const lrs = new Set(exp.cells.map((c) => (c.spec.training.optimizer as { lr: number }).lr));
  assert.ok(lrs.has(0.0001) && lrs.has(0.1), [...lrs].join(', '));
  assert.ok(exp.cells.some((c) => c.spec.model.layers.some((l) => l.units === 16)));
  const cell = t.cell({ 'training.optimizer.lr': 0.01, 'model.units': [16], 'model.batchNorm': true });
  assert.equal(cell.label, 'training.optimizer.lr=0.01, model.units=[16], model.batchNorm=true');
  assert.equal(cell.spec.training.batchSize, 16, 'fixed values are set on every trial');
  assert.equal((cell.spec.training.optimizer as { lr: number }).lr, 0.01);
  assert.ok(cell.spec.model.layers.some((l) => l.type === 'batchNorm'), JSON.stringify(cell.spec.model.layers.map((l) => l.type)));
  assert.equal(parseExperiment(withTune('  space: { model.units: { type: choice, values: [[8]] } }\n') + 'evaluateTest: false\n', null).evaluateTest, 'none');
});

test('a space parameter sets a component field the file names only by its name (RandomNormal stddev)', () => {
  const exp = parseExperiment(withTune('  space:\n    model.initializer.stddev: { type: float, low: 0.01, high: 0.1 }\n'), 'exp.yaml');
  const cell = exp.tune!.cell({ 'model.initializer.stddev': 0.037 });
  const dense = cell.spec.model.layers.find((l) => l.type === 'dense') as { kernelInitializer?: { stddev: number } };
  assert.equal(dense.kernelInitializer?.stddev, 0.037, JSON.stringify(dense));
});

test('bad spaces: inverted and empty ranges, log bounds, steps, choices, conditions, unknown types', () => {
  const sp = (line: string) => withTune(`  space:\n    ${line}\n`);
  expectError(sp('training.optimizer.lr: { type: float, low: 0.1, high: 0.01 }'), 6, 'tune.space.training.optimizer.lr.high', 'the range is inverted: high 0.01 is below low 0.1');
  expectError(sp('training.optimizer.lr: { type: float, low: 0.1, high: 0.1 }'), 6, 'tune.space.training.optimizer.lr.high', 'the range is empty');
  expectError(sp('training.optimizer.lr: { type: float, low: 0, high: 0.1, log: true }'), 6, 'tune.space.training.optimizer.lr.low', 'a log-scaled parameter needs low > 0, got 0');
  expectError(sp('training.batchSize: { type: int, low: 16, high: 100, step: 16 }'), 6, 'tune.space.training.batchSize.step', 'the step 16 does not divide the range 16..100');
  expectError(sp('model.units: { type: choice }'), 6, 'tune.space.model.units', "a choice parameter needs 'values'");
  expectError(sp('model.units: { type: choice, values: [] }'), 6, 'tune.space.model.units.values', 'at least 1');
  expectError(sp('model.units: { type: categorical, values: [[8]] }'), 6, 'tune.space.model.units.type', "unknown parameter type \"categorical\" (did you mean 'choice'?)");
  expectError(sp('model.units: { type: choice, values: [[8]], low: 1 }'), 6, 'tune.space.model.units.low', "a choice parameter has no field 'low'");
  expectError(
    withTune('  space:\n    model.dropout: { type: float, low: 0, high: 0.5, when: { model.activation: relu } }\n'),
    6,
    'tune.space.model.dropout.when.model.activation',
    "'model.activation' is not a parameter of the space",
  );
  expectError(
    withTune('  space:\n    model.activation: { type: choice, values: [relu, tanh] }\n    model.dropout: { type: float, low: 0, high: 0.5, when: { model.activation: selu } }\n'),
    7,
    'tune.space.model.dropout.when.model.activation',
    '"selu" is not a value of \'model.activation\'',
  );
});

test('bad tune fields: unknown sampler or pruner (did you mean), a space path not in the config, test objectives, trials < 1, study with tune', () => {
  const space = '  space: { training.optimizer.lr: { type: float, low: 0.001, high: 0.1 } }\n';
  expectError(withTune(`  sampler: tpx\n${space}`), 5, 'tune.sampler', "unknown sampler 'tpx' (did you mean 'tpe'?)");
  expectError(withTune(`  sampler: { name: tpe, startupTrial: 3 }\n${space}`), 5, 'tune.sampler.startupTrial', 'unknown parameter');
  expectError(withTune(`  pruner: medain\n${space}`), 5, 'tune.pruner', "unknown pruner 'medain' (did you mean 'median'?)");
  expectError(withTune(`  trials: 0\n${space}`), 5, 'tune.trials', 'must be >= 1');
  expectError(withTune(`  objective: test.accuracy\n${space}`), 5, 'tune.objective', 'never on the test set', 'use val.accuracy');
  expectError(withTune(`  objective: accuracy\n${space}`), 5, 'tune.objective', 'expected <split>.<metric>');
  expectError(withTune('  space: { training.optimiser.lr: { type: float, low: 0.001, high: 0.1 } }\n'), 5, 'tune.space.training.optimiser.lr', "has no field 'optimiser' (did you mean 'training.optimizer.lr'?)");
  expectError(withTune('  space: { seed: { type: int, low: 1, high: 5 } }\n'), 5, 'tune.space.seed', 'a search sets fields of data, model, training');
  expectError(withTune(`  sampler: grid\n${space}`), 6, 'tune.space.training.optimizer.lr', 'step');
  expectError(`${withTune(space)}study: { factors: { model.units: [[8], [16]] } }\n`, 4, 'tune', 'either study', 'or tune');
  expectError(`repeats: 3\n${withTune(space)}`, 1, 'repeats', 'executionsPerTrial');
  assert.throws(() => parseExperiment(withTune(space), 'exp.yaml', { overrides: ['training.optimizer.lr=0.5'] }), /training\.optimizer\.lr: the search sets training\.optimizer\.lr, so this value would never be used/);
});

test('a trial value that makes an invalid config is a ConfigError naming the parameter', () => {
  const exp = parseExperiment(withTune('  space:\n    model.initializer.stddev: { type: float, low: 0.01, high: 0.1 }\n'), 'exp.yaml');
  assert.throws(() => exp.tune!.cell({ 'model.initializer.stddev': -1 }), (e: unknown) => e instanceof ConfigError && /stddev/.test(e.message) && /tune\.space model\.initializer\.stddev = -1/.test(e.message));
});

test('an int range of two billion values is checked at its corners without listing its values', () => {
  const exp = parseExperiment(withTune('  space:\n    training.batchSize: { type: int, low: 1, high: 2000000000 }\n'), 'exp.yaml');
  assert.deepEqual([...new Set(exp.cells.map((c) => c.spec.training.batchSize))].sort((a, b) => a - b), [1, 2000000000]);
});

test('int bounds past the integers a double holds exactly are one error at their line', () => {
  expectError(withTune('  space:\n    training.epochs: { type: int, low: 1, high: 1e300 }\n'), 6, 'tune.space.training.epochs.high', 'expected an integer of at most 9007199254740991, got 1e+300');
});
