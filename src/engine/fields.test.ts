// The shared config reader: names and fields in any spelling, aliases, defaults, types and ranges, and the
// exact ConfigError (path and message) of every mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.js';
import { asObject, canonicalName, checkValue, join, nameKey, readFields, readName, resolveConfig, type FieldSpec, type ParamSpec } from './fields.js';

/** Asserts that `fn` throws a ConfigError at `path` whose whole message is `message`. */
function fails(fn: () => unknown, path: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
    assert.equal(e.path, path);
    assert.equal(e.message, message);
    return true;
  });
}

test('names meet in every spelling, aliases map to canonical names, and paths join', () => {
  assert.equal(nameKey('Leaky_ReLU'), 'leakyrelu');
  const valid = ['leakyRelu', 'meanSquaredError'] as const;
  for (const given of ['leakyRelu', 'leaky_relu', 'LeakyReLU', 'LEAKYRELU']) assert.equal(canonicalName(given, valid), 'leakyRelu');
  assert.equal(canonicalName('MSE', valid, { mse: 'meanSquaredError' }), 'meanSquaredError');
  assert.equal(canonicalName('mse', valid), null);
  assert.equal(canonicalName('leakyRelus', valid), null);
  assert.equal(join('training.optimizer', 'lr'), 'training.optimizer.lr');
  assert.equal(join('', 'lr'), 'lr');
});

test('asObject and readName: plain objects only, and a known name in any spelling', () => {
  const config = { name: 'ADAM_W' };
  assert.equal(asObject(config, 'opt', 'an optimizer'), config);
  for (const bad of ['adam', [1], null, 3]) {
    fails(() => asObject(bad, 'opt', 'an optimizer'), 'opt', `opt: expected an optimizer as { name, ...fields }, got ${JSON.stringify(bad)}`);
  }
  const valid = ['sgd', 'adam', 'adamW'] as const;
  assert.equal(readName(config, 'opt', 'optimizer', valid), 'adamW');
  assert.equal(readName({ name: 'adam_weight_decay' }, 'opt', 'optimizer', valid, { adamWeightDecay: 'adamW' }), 'adamW');
  fails(() => readName({ lr: 1 }, 'opt', 'optimizer', valid), 'opt.name', 'opt.name: the optimizer needs a name (one of: sgd, adam, adamW)');
  fails(() => readName({ name: 7 }, '', 'optimizer', valid), 'name', 'name: the optimizer needs a name (one of: sgd, adam, adamW)');
  fails(() => readName({ name: 'adm' }, 'opt', 'optimizer', valid), 'opt.name', "opt.name: unknown optimizer 'adm' (did you mean 'adam'?); valid: sgd, adam, adamW");
  fails(() => readName({ name: 'lbfgs' }, 'opt', 'optimizer', valid), 'opt.name', "opt.name: unknown optimizer 'lbfgs'; valid: sgd, adam, adamW");
});

const SPECS: Record<string, FieldSpec> = {
  rate: { type: 'number', default: 0.1, min: 0, aliases: ['learning_rate', 'lr'] },
  beta: { type: 'number', default: 0.9, min: 0, below: 1 },
  steps: { type: 'number', integer: true, min: 1 },
  limit: { type: 'optionalNumber', min: 0, exclusiveMin: true },
  classes: { type: 'optionalInteger', min: 2 },
  nesterov: { type: 'boolean', default: false },
  mode: { type: 'choice', default: 'fanIn', choices: ['fanIn', 'fanOut'] },
  schedule: { type: 'object' },
};
const read = (config: Record<string, unknown>) => readFields(config, SPECS, 'o', "optimizer 'x'");

test('readFields: defaults (null without one), given values, spellings and aliases, name and undefined skipped', () => {
  assert.deepEqual(read({ name: 'whatever', rate: undefined }), {
    rate: 0.1, beta: 0.9, steps: null, limit: null, classes: null, nesterov: false, mode: 'fanIn', schedule: null,
  });
  const schedule = { name: 'cosine' };
  assert.deepEqual(read({ learning_rate: 0.5, BETA: 0, steps: 3, limit: 2, classes: 4, nesterov: true, mode: 'fan_out', schedule }), {
    rate: 0.5, beta: 0, steps: 3, limit: 2, classes: 4, nesterov: true, mode: 'fanOut', schedule,
  });
  assert.equal(read({ lr: 0.2 }).rate, 0.2);
  assert.deepEqual([read({ limit: null }).limit, read({ classes: null }).classes, read({ schedule: null }).schedule], [null, null, null]);
  // At the top level, the field path is the field's own name.
  fails(() => readFields({ rate: -1 }, SPECS, '', 'x'), 'rate', 'rate: must be >= 0, got -1');
});

test('readFields: a field given twice, in two spellings or by an alias, is an error', () => {
  fails(() => read({ rate: 0.1, lr: 0.2 }), 'o.lr', "o.lr: field 'rate' of optimizer 'x' is given twice");
  fails(() => read({ beta: 0.5, Beta: 0.5 }), 'o.Beta', "o.Beta: field 'beta' of optimizer 'x' is given twice");
  fails(
    () => readFields({ a: 1, A: 2 }, { a: { type: 'number', default: 0 } }, 'p', "loss 'l'", { noun: 'parameter' }),
    'p.A',
    "p.A: parameter 'a' of loss 'l' is given twice",
  );
});

test('readFields: unknown fields get a did-you-mean, a plain list, a hint, or "takes none"', () => {
  fails(() => read({ bta: 1 }), 'o.bta', "o.bta: unknown field of optimizer 'x' 'bta' (did you mean 'beta'?); valid: rate, beta, steps, limit, classes, nesterov, mode, schedule");
  const listed = { alpha: { type: 'number', default: 1 } } as const;
  fails(() => readFields({ alpa: 1 }, listed, 'act', "activation 'elu'", { noun: 'parameter', suggest: false }), 'act.alpa', "act.alpa: unknown parameter of activation 'elu'; valid: alpha");
  fails(() => readFields({ alpha: 1 }, {}, 'act', "activation 'relu'", { noun: 'parameter' }), 'act.alpha', "act.alpha: unknown parameter of activation 'relu'; it takes no parameters");
  fails(() => readFields({ x: 1 }, {}, 'l', "layer 'flatten'"), 'l.x', "l.x: unknown field of layer 'flatten'; it takes no fields");
  // Hints match in any spelling on both sides; only names that are not fields reach them.
  const hints = { nesterovMomentum: "use 'momentum' with 'nesterov': true", rate: 'never shown' };
  fails(() => readFields({ nesterov_momentum: true }, SPECS, 'o', "optimizer 'x'", { hints }), 'o.nesterov_momentum', "o.nesterov_momentum: unknown field of optimizer 'x': use 'momentum' with 'nesterov': true");
  assert.equal(readFields({ rate: 0.3 }, SPECS, 'o', "optimizer 'x'", { hints }).rate, 0.3);
  fails(() => read({ nesterovMomentum: true }), 'o.nesterovMomentum', /* no hints given */ "o.nesterovMomentum: unknown field of optimizer 'x' 'nesterovMomentum'; valid: rate, beta, steps, limit, classes, nesterov, mode, schedule");
});

test('readFields: numbers must be finite and in range', () => {
  for (const bad of ['0.1', Number.NaN, Infinity, null, true]) {
    fails(() => read({ rate: bad }), 'o.rate', `o.rate: expected a finite number, got ${JSON.stringify(bad)}`);
  }
  fails(() => read({ steps: 2.5 }), 'o.steps', 'o.steps: expected an integer, got 2.5');
  fails(() => read({ steps: 0 }), 'o.steps', 'o.steps: must be >= 1, got 0');
  fails(() => read({ rate: -0.1 }), 'o.rate', 'o.rate: must be >= 0, got -0.1');
  assert.equal(read({ rate: 0 }).rate, 0); // min is inclusive
  fails(() => read({ limit: 0 }), 'o.limit', 'o.limit: must be > 0, got 0'); // exclusiveMin
  fails(() => read({ limit: 'big' }), 'o.limit', 'o.limit: expected a finite number, got "big"');
  fails(() => read({ beta: 1 }), 'o.beta', 'o.beta: must be < 1 (the range is [0, 1)), got 1');
  fails(() => read({ beta: -0.5 }), 'o.beta', 'o.beta: must be >= 0 (the range is [0, 1)), got -0.5');
  assert.equal(read({ beta: 0.999 }).beta, 0.999);
  const ranges: Record<string, FieldSpec> = {
    dampening: { type: 'number', default: 0, max: 1 },
    factor: { type: 'number', default: 0.5, min: 0, exclusiveMin: true, below: 1 },
    share: { type: 'number', default: 0.5, below: 1 },
  };
  const at = (config: Record<string, unknown>) => readFields(config, ranges, 's', 'x');
  assert.equal(at({ dampening: 1 }).dampening, 1);
  fails(() => at({ dampening: 1.5 }), 's.dampening', 's.dampening: must be <= 1, got 1.5');
  fails(() => at({ factor: 0 }), 's.factor', 's.factor: must be > 0 (the range is (0, 1)), got 0');
  fails(() => at({ factor: 1 }), 's.factor', 's.factor: must be < 1 (the range is (0, 1)), got 1');
  fails(() => at({ share: 1 }), 's.share', 's.share: must be < 1, got 1');
  assert.equal(at({ share: -5 }).share, -5);
});

test('readFields: optional integers, booleans, choices and objects', () => {
  for (const bad of [1, 2.5, '3', -4]) fails(() => read({ classes: bad }), 'o.classes', `o.classes: expected an integer >= 2, got ${JSON.stringify(bad)}`);
  assert.equal(read({ classes: 2 }).classes, 2);
  fails(() => read({ nesterov: 1 }), 'o.nesterov', 'o.nesterov: expected true or false, got 1');
  fails(() => read({ nesterov: 'true' }), 'o.nesterov', 'o.nesterov: expected true or false, got "true"');
  assert.equal(read({ mode: 'FAN_IN' }).mode, 'fanIn');
  fails(() => read({ mode: 'fanIm' }), 'o.mode', "o.mode: unknown value 'fanIm' (did you mean 'fanIn'?); valid: fanIn, fanOut");
  fails(() => read({ mode: 3 }), 'o.mode', "o.mode: unknown value '3'; valid: fanIn, fanOut");
  for (const bad of ['cosine', [1], 0]) fails(() => read({ schedule: bad }), 'o.schedule', `o.schedule: expected an object, got ${JSON.stringify(bad)}`);
});

const REGISTRY: Record<'relu' | 'leakyRelu' | 'meanSquaredError', Record<string, ParamSpec>> = {
  relu: {},
  leakyRelu: { alpha: { type: 'number', default: 0.3, aliases: ['negativeSlope'] } },
  meanSquaredError: {},
};
const resolve = (config: unknown) => resolveConfig(config, 'model.act', 'activation', REGISTRY, { mse: 'meanSquaredError' });

test('resolveConfig: a name or { name, ...params } in any spelling, with every parameter', () => {
  assert.deepEqual(resolve('LeakyReLU'), { name: 'leakyRelu', params: { alpha: 0.3 } });
  assert.deepEqual(resolve('MSE'), { name: 'meanSquaredError', params: {} });
  assert.deepEqual(resolve({ name: 'leaky_relu', negative_slope: 0.1 }), { name: 'leakyRelu', params: { alpha: 0.1 } });
  assert.deepEqual(resolveConfig('relu', '', 'activation', REGISTRY), { name: 'relu', params: {} });
});

test('resolveConfig: errors name the field path', () => {
  fails(() => resolve(42), 'model.act', 'model.act: expected an activation name or { name, ...parameters }, got 42');
  fails(() => resolve(['relu']), 'model.act', 'model.act: expected an activation name or { name, ...parameters }, got ["relu"]');
  fails(() => resolve(null), 'model.act', 'model.act: expected an activation name or { name, ...parameters }, got null');
  // A bare unknown name sits at the config's own path; a named object's at path.name.
  fails(() => resolve('reluu'), 'model.act', "model.act: unknown activation 'reluu' (did you mean 'relu'?); valid: relu, leakyRelu, meanSquaredError");
  fails(() => resolve({ name: 'reluu' }), 'model.act.name', "model.act.name: unknown activation 'reluu' (did you mean 'relu'?); valid: relu, leakyRelu, meanSquaredError");
  fails(() => resolve({ alpha: 1 }), 'model.act.name', 'model.act.name: the activation needs a name (one of: relu, leakyRelu, meanSquaredError)');
  fails(() => resolve({ name: 'relu', alpha: 1 }), 'model.act.alpha', "model.act.alpha: unknown parameter of activation 'relu'; it takes no parameters");
  fails(() => resolve({ name: 'leakyRelu', alpa: 1 }), 'model.act.alpa', "model.act.alpa: unknown parameter of activation 'leakyRelu'; valid: alpha");
  fails(() => resolve({ name: 'leakyRelu', alpha: 0.1, negativeSlope: 0.2 }), 'model.act.negativeSlope', "model.act.negativeSlope: parameter 'alpha' of activation 'leakyRelu' is given twice");
  fails(() => resolve({ name: 'leakyRelu', alpha: '0.1' }), 'model.act.alpha', 'model.act.alpha: expected a finite number, got "0.1"');
});

test('string fields: a non-empty string, null when absent, the default otherwise', () => {
  const specs = { path: { type: 'string' }, sep: { type: 'string', default: ',' } } satisfies Record<string, FieldSpec>;
  assert.deepEqual(readFields({}, specs, 'cb', 'csvLogger'), { path: null, sep: ',' });
  assert.deepEqual(readFields({ path: 'a.csv', sep: ';' }, specs, 'cb', 'csvLogger'), { path: 'a.csv', sep: ';' });
  assert.throws(() => readFields({ path: 3 }, specs, 'cb', 'csvLogger'), /cb\.path: expected a non-empty string, got 3/);
  assert.throws(() => readFields({ path: '' }, specs, 'cb', 'csvLogger'), /cb\.path: expected a non-empty string, got ""/);
});

test('readFields: a two-sided range is named in every range error', () => {
  const specs: Record<string, FieldSpec> = {
    p: { type: 'optionalNumber', min: 0, max: 1 },
    f: { type: 'number', default: 0.5, min: 0, exclusiveMin: true, max: 1 },
  };
  fails(() => readFields({ p: 1.5 }, specs, 's', 'x'), 's.p', 's.p: must be <= 1 (the range is [0, 1]), got 1.5');
  fails(() => readFields({ p: -0.5 }, specs, 's', 'x'), 's.p', 's.p: must be >= 0 (the range is [0, 1]), got -0.5');
  fails(() => readFields({ f: 0 }, specs, 's', 'x'), 's.f', 's.f: must be > 0 (the range is (0, 1]), got 0');
  assert.deepEqual(readFields({ p: 1, f: 1 }, specs, 's', 'x'), { p: 1, f: 1 }); // max is inclusive
});

test('readFields: optional integers are safe integers, with an optional upper bound', () => {
  const specs: Record<string, FieldSpec> = { n: { type: 'optionalInteger', min: 1, max: 8 }, seed: { type: 'optionalInteger', min: 0 } };
  assert.deepEqual(readFields({ n: 8, seed: 2 ** 53 - 1 }, specs, 'l', 'x'), { n: 8, seed: 2 ** 53 - 1 });
  for (const bad of [0, 9, 2.5, '3']) fails(() => readFields({ n: bad }, specs, 'l', 'x'), 'l.n', `l.n: expected an integer in 1..8, got ${JSON.stringify(bad)}`);
  fails(() => readFields({ seed: 2 ** 53 }, specs, 'l', 'x'), 'l.seed', `l.seed: expected an integer >= 0, got ${2 ** 53}`);
  fails(() => readFields({ seed: -1 }, specs, 'l', 'x'), 'l.seed', 'l.seed: expected an integer >= 0, got -1');
});

test('readFields: booleans without a default, and any-value fields left to their reader', () => {
  const specs: Record<string, FieldSpec> = { shuffle: { type: 'boolean' }, size: { type: 'any' } };
  assert.deepEqual(readFields({}, specs, 'l', 'x'), { shuffle: null, size: null });
  const size = [3, 4];
  const read = readFields({ shuffle: false, Size: size }, specs, 'l', 'x');
  assert.deepEqual(read, { shuffle: false, size: [3, 4] });
  assert.equal(read.size, size, 'an any-value field is passed on as given');
  for (const v of ['cat', 2, { a: 1 }, null]) assert.equal(readFields({ size: v }, specs, 'l', 'x').size, v);
  fails(() => readFields({ shuffle: null }, specs, 'l', 'x'), 'l.shuffle', 'l.shuffle: expected true or false, got null');
});

test('readFields: a required field must be given (null counts as not given), and the error says what it accepts', () => {
  const specs: Record<string, FieldSpec> = {
    degrees: { type: 'number', min: 0, max: 180, required: true },
    batchSize: { type: 'optionalInteger', min: 1, required: true, aliases: ['batch_size'] },
  };
  const owner = "augmentation 'rotate'";
  assert.deepEqual(readFields({ degrees: 0, batch_size: 2 }, specs, 'a', owner), { degrees: 0, batchSize: 2 });
  fails(() => readFields({ batchSize: 2 }, specs, 'a', owner), 'a.degrees', "a.degrees: augmentation 'rotate' needs 'degrees' (a number in [0, 180])");
  fails(() => readFields({ degrees: 3, batchSize: null }, specs, 'a', owner), 'a.batchSize', "a.batchSize: augmentation 'rotate' needs 'batchSize' (an integer >= 1)");
  // A wrong value is reported as wrong, not as missing.
  fails(() => readFields({ degrees: 'x' }, specs, 'a', owner), 'a.degrees', 'a.degrees: expected a finite number, got "x"');
  const says = (spec: FieldSpec, accepts: string) =>
    fails(() => readFields({}, { f: { ...spec, required: true } as FieldSpec }, '', 'c'), 'f', `f: c needs 'f'${accepts}`);
  says({ type: 'number', integer: true, min: 0, exclusiveMin: true }, ' (an integer > 0)');
  says({ type: 'optionalNumber', below: 1 }, ' (a number < 1)');
  says({ type: 'optionalNumber' }, ' (a number)');
  says({ type: 'optionalInteger', min: 1, max: 4 }, ' (an integer in 1..4)');
  says({ type: 'boolean' }, ' (true or false)');
  says({ type: 'string' }, ' (a non-empty string)');
  says({ type: 'object' }, ' (an object)');
  says({ type: 'any', accepts: 'a list of class names' }, ' (a list of class names)');
  says({ type: 'any' }, '');
});

test('readFields: configs without a name, and configs that are not objects', () => {
  const specs: Record<string, FieldSpec> = { batchSize: { type: 'optionalInteger', min: 1 } };
  fails(() => readFields({ name: 'x' }, specs, 'loader', 'the loader', { named: false }), 'loader.name', "loader.name: unknown field of the loader 'name'; valid: batchSize");
  assert.deepEqual(readFields({ name: 'x' }, specs, 'loader', 'the loader'), { batchSize: null }, 'named configs skip name');
  assert.deepEqual(readFields({ name: 4 }, { name: { type: 'optionalInteger', min: 1 } }, 'c', 'c', { named: false }), { name: 4 });
  for (const bad of [3, null, [1], 'loader']) {
    fails(() => readFields(bad, specs, 'loader', 'the loader'), 'loader', `loader: expected an object with fields batchSize, got ${JSON.stringify(bad)}`);
  }
  fails(() => readFields(2, {}, 'p', 'x', { noun: 'parameter' }), 'p', 'p: expected an object, got 2');
  fails(() => readFields([], { a: { type: 'boolean' }, b: { type: 'boolean' } }, 'p', 'x', { noun: 'parameter' }), 'p', 'p: expected an object with parameters a, b, got []');
});

test('checkValue checks one value against a spec, for bounds known late', () => {
  assert.equal(checkValue(60, { type: 'optionalInteger', min: 1, max: 60 }, 'subset.total'), 60);
  fails(() => checkValue(61, { type: 'optionalInteger', min: 1, max: 60 }, 'subset.total'), 'subset.total', 'subset.total: expected an integer in 1..60, got 61');
  assert.equal(checkValue('Fan_Out', { type: 'choice', default: 'fanIn', choices: ['fanIn', 'fanOut'] }, 'm'), 'fanOut');
});
