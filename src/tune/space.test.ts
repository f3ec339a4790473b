// The search space: readSpace's reading of every kind of parameter and every error of its doc comment (each
// naming the field), and the helpers samplers build on: conditions, values of a distribution, the internal
// scale and back (rounding to the step, clamping), grid values and uniform draws.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Segment } from '../lab/experiment/paths.js';
import { Rng } from './rng.js';
import {
  activeParams,
  choiceIndex,
  contains,
  fromInternal,
  gridValues,
  internalBounds,
  isActive,
  paramText,
  readSpace,
  sampleUniform,
  toInternal,
  valueKey,
  widenedBounds,
  type Distribution,
  type Space,
} from './space.js';

const fail = (segments: Segment[], problem: string) => new Error(`${segments.join('.')}: ${problem}`);
const read = (section: Record<string, unknown>): Space => readSpace(section, fail);

/** Asserts that reading `section` fails with exactly `message` (its field path first). */
function fails(section: Record<string, unknown>, message: string): void {
  assert.throws(() => read(section), (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
}

type Numeric = Exclude<Distribution, { kind: 'choice' }>;
const float = (low: number, high: number, over: Partial<Numeric> = {}): Numeric => ({ kind: 'float', low, high, log: false, step: null, ...over }) as Numeric;
const int = (low: number, high: number, over: Partial<Numeric> = {}): Numeric => ({ kind: 'int', low, high, log: false, step: 1, ...over }) as Numeric;

describe('readSpace', () => {
  test('every kind of parameter, fixed values (plain or { type: fixed }), in the order written', () => {
    const s = read({
      lr: { type: 'float', low: 1e-5, high: 0.1, log: true },
      dropout: { type: 'float', low: 0, high: 0.5, step: 0.1 },
      batch: { type: 'int', low: 32, high: 256, step: 32 },
      units: { type: 'int', low: 1, high: 512, log: true, step: 1 },
      layers: { type: 'int', low: 1, high: 4 },
      arch: { type: 'choice', values: [[32], [128, 64], { conv: 3 }] },
      bn: { type: 'bool' },
      alpha: { type: 'float', low: 0.01, high: 0.5, when: { arch: [[32], { conv: 3 }], bn: true } },
      epochs: 20,
      shape: { type: 'fixed', value: { a: [1, 2] } },
      tags: ['x', 'y'],
    });
    assert.deepEqual(s.params.map((p) => p.name), ['lr', 'dropout', 'batch', 'units', 'layers', 'arch', 'bn', 'alpha']);
    assert.deepEqual(s.params.map((p) => p.dist), [
      { kind: 'float', low: 1e-5, high: 0.1, log: true, step: null },
      { kind: 'float', low: 0, high: 0.5, log: false, step: 0.1 },
      { kind: 'int', low: 32, high: 256, log: false, step: 32 },
      { kind: 'int', low: 1, high: 512, log: true, step: 1 },
      { kind: 'int', low: 1, high: 4, log: false, step: 1 },
      { kind: 'choice', values: [[32], [128, 64], { conv: 3 }] },
      { kind: 'choice', values: [false, true] },
      { kind: 'float', low: 0.01, high: 0.5, log: false, step: null },
    ]);
    assert.deepEqual(s.params[7].when, [{ param: 'arch', values: [[32], { conv: 3 }] }, { param: 'bn', values: [true] }]);
    assert.deepEqual(s.fixed, [{ name: 'epochs', value: 20 }, { name: 'shape', value: { a: [1, 2] } }, { name: 'tags', value: ['x', 'y'] }]);
  });

  test('a condition value that is itself a list value of its parent is one value, not a list of them', () => {
    const s = read({ units: { type: 'choice', values: [[32], [64]] }, drop: { type: 'float', low: 0, high: 1, when: { units: [64] } } });
    assert.deepEqual(s.params[1].when, [{ param: 'units', values: [[64]] }]);
  });

  test('a step that fits the range with rounding (0.99 - 0.9 is 0.08999999999999997)', () => {
    assert.equal(read({ m: { type: 'float', low: 0.9, high: 0.99, step: 0.09 } }).params[0].dist.kind, 'float');
    assert.deepEqual(gridValues(read({ m: { type: 'float', low: 0.9, high: 0.99, step: 0.09 } }).params[0].dist), [0.9, 0.99]);
    assert.deepEqual(gridValues(read({ d: { type: 'float', low: 0, high: 0.3, step: 0.1 } }).params[0].dist), [0, 0.1, 0.2, 0.3]);
  });

  test('the shape of a parameter: an object needs a type, a known one, and only its own fields', () => {
    fails({ shape: { a: 1 } }, 'tune.space.shape: a parameter is { type: float | int | choice | bool | fixed, ... }; to fix a field to an object, write { type: fixed, value: {"a":1} }');
    fails({ opt: { type: 'categorical', values: ['a'] } }, `tune.space.opt.type: unknown parameter type "categorical" (did you mean 'choice'?); valid: float, int, choice, bool, fixed`);
    fails({ n: { type: 'integer', low: 1, high: 2 } }, `tune.space.n.type: unknown parameter type "integer" (did you mean 'int'?); valid: float, int, choice, bool, fixed`);
    fails({ b: { type: 'boolean' } }, `tune.space.b.type: unknown parameter type "boolean" (did you mean 'bool'?); valid: float, int, choice, bool, fixed`);
    fails({ x: { type: 'flaot', low: 0, high: 1 } }, `tune.space.x.type: unknown parameter type "flaot" (did you mean 'float'?); valid: float, int, choice, bool, fixed`);
    fails({ x: { type: 7 } }, 'tune.space.x.type: unknown parameter type 7; valid: float, int, choice, bool, fixed');
    fails({ x: { type: 'float', low: 0, high: 1, steps: 0.1 } }, "tune.space.x.steps: a float parameter has no field 'steps'; its fields: type, low, high, log, step, when");
    fails({ c: { type: 'choice', values: [1], log: true } }, "tune.space.c.log: a choice parameter has no field 'log'; its fields: type, values, when");
    fails({ b: { type: 'bool', values: [true] } }, "tune.space.b.values: a bool parameter has no field 'values'; its fields: type, when");
    fails({ e: { type: 'fixed', value: 3, when: { a: 1 } } }, "tune.space.e.when: a fixed parameter has no field 'when'; its fields: type, value");
    fails({ e: { type: 'fixed' } }, "tune.space.e: a fixed parameter needs 'value'");
  });

  test('ranges: bounds given and numbers (integers for int), not inverted, not empty', () => {
    fails({ x: { type: 'float', high: 1 } }, "tune.space.x: a float parameter needs 'low'");
    fails({ n: { type: 'int', low: 1 } }, "tune.space.n: a int parameter needs 'high'");
    fails({ x: { type: 'float', low: '0', high: 1 } }, 'tune.space.x.low: expected a number, got "0"');
    fails({ x: { type: 'float', low: 0, high: Infinity } }, 'tune.space.x.high: expected a number, got null');
    fails({ n: { type: 'int', low: 1.5, high: 4 } }, 'tune.space.n.low: expected an integer, got 1.5');
    fails({ x: { type: 'float', low: 1, high: 0 } }, 'tune.space.x.high: the range is inverted: high 0 is below low 1');
    fails({ n: { type: 'int', low: 3, high: 3 } }, 'tune.space.n.high: the range is empty: low and high are both 3; to fix the field, write 3 or { type: fixed, value: 3 }');
  });

  test('log: true or false, bounds above 0, no step (except 1 for an int)', () => {
    fails({ x: { type: 'float', low: 0, high: 1, log: 'yes' } }, 'tune.space.x.log: expected true or false, got "yes"');
    fails({ x: { type: 'float', low: 0, high: 1, log: true } }, 'tune.space.x.low: a log-scaled parameter needs low > 0, got 0');
    fails({ n: { type: 'int', low: -2, high: 8, log: true } }, 'tune.space.n.low: a log-scaled parameter needs low > 0, got -2');
    fails({ x: { type: 'float', low: 0.1, high: 1, log: true, step: 0.1 } }, 'tune.space.x.step: log and step cannot be used together (a log scale has no fixed step)');
    fails({ n: { type: 'int', low: 2, high: 8, log: true, step: 2 } }, 'tune.space.n.step: log and step cannot be used together (a log scale has no fixed step)');
    assert.deepEqual(read({ n: { type: 'int', low: 2, high: 8, log: true, step: 1 } }).params[0].dist, int(2, 8, { log: true }));
  });

  test('steps: positive (integers for int), dividing the range, not larger than it', () => {
    fails({ x: { type: 'float', low: 0, high: 1, step: 0 } }, 'tune.space.x.step: expected a positive number, got 0');
    fails({ x: { type: 'float', low: 0, high: 1, step: -0.5 } }, 'tune.space.x.step: expected a positive number, got -0.5');
    fails({ n: { type: 'int', low: 0, high: 10, step: 2.5 } }, 'tune.space.n.step: expected a positive integer, got 2.5');
    fails({ x: { type: 'float', low: 0, high: 1, step: 0.3 } }, 'tune.space.x.step: the step 0.3 does not divide the range 0..1; the values are low, low + step, ..., high');
    fails({ n: { type: 'int', low: 32, high: 100, step: 32 } }, 'tune.space.n.step: the step 32 does not divide the range 32..100; the values are low, low + step, ..., high');
    fails({ x: { type: 'float', low: 0, high: 1, step: 2 } }, 'tune.space.x.step: the step 2 is larger than the range 0..1');
    assert.deepEqual(read({ x: { type: 'float', low: 0, high: 1, step: null } }).params[0].dist, float(0, 1));
  });

  test('choices: a list of at least one value, none twice (by content)', () => {
    fails({ c: { type: 'choice' } }, "tune.space.c: a choice parameter needs 'values': a list of at least one value");
    fails({ c: { type: 'choice', values: [] } }, 'tune.space.c.values: expected a list of at least one value, got []');
    fails({ c: { type: 'choice', values: 'relu' } }, 'tune.space.c.values: expected a list of at least one value, got "relu"');
    fails({ c: { type: 'choice', values: ['a', { u: [1] }, 'b', { u: [1] }] } }, 'tune.space.c.values.3: value {"u":[1]} is listed twice (also value 2)');
  });

  test('conditions: on a choice or bool written before, on values it can take', () => {
    const act = { type: 'choice', values: ['relu', 'elu'] };
    fails({ act, a: { type: 'float', low: 0, high: 1, when: 'elu' } }, 'tune.space.a.when: expected { <parameter>: value or [values] }, e.g. { model.activation: relu }, got "elu"');
    fails({ act, a: { type: 'float', low: 0, high: 1, when: {} } }, 'tune.space.a.when: expected { <parameter>: value or [values] }, e.g. { model.activation: relu }, got {}');
    fails({ act, a: { type: 'float', low: 0, high: 1, when: { activation: 'elu' } } }, "tune.space.a.when.activation: 'activation' is not a parameter of the space; a condition names a choice or bool parameter written before this one (act)");
    fails({ a: { type: 'float', low: 0, high: 1, when: { act: 'elu' } }, act }, "tune.space.a.when.act: 'act' is not a parameter of the space; a condition names a choice or bool parameter written before this one");
    fails({ n: { type: 'int', low: 1, high: 3 }, a: { type: 'float', low: 0, high: 1, when: { n: 2 } } }, "tune.space.a.when.n: 'n' is a int parameter; a condition names a choice or bool parameter");
    fails({ act, a: { type: 'float', low: 0, high: 1, when: { act: 'tanh' } } }, 'tune.space.a.when.act: "tanh" is not a value of \'act\' ("relu", "elu")');
    fails({ act, a: { type: 'float', low: 0, high: 1, when: { act: ['elu', 'gelu'] } } }, 'tune.space.a.when.act: "gelu" is not a value of \'act\' ("relu", "elu")');
    fails({ bn: { type: 'bool' }, m: { type: 'float', low: 0, high: 1, when: { bn: 'true' } } }, 'tune.space.m.when.bn: "true" is not a value of \'bn\' (false, true)');
  });
});

describe('space helpers', () => {
  const s = read({
    act: { type: 'choice', values: ['relu', 'leaky', { name: 'elu', alpha: 1 }] },
    alpha: { type: 'float', low: 0.01, high: 0.5, when: { act: ['leaky', { name: 'elu', alpha: 1 }] } },
    mode: { type: 'choice', values: ['fixed', 'learned'], when: { act: 'leaky' } },
    init: { type: 'float', low: 0, high: 1, when: { mode: 'learned', act: 'leaky' } },
  });
  const [act, alpha, mode, init] = s.params;

  test('isActive and activeParams: every condition must hold, an unset parent fails, values compare by content', () => {
    assert.equal(isActive(act, {}), true);
    assert.equal(isActive(alpha, { act: 'relu' }), false);
    assert.equal(isActive(alpha, { act: { name: 'elu', alpha: 1 } }), true);
    assert.equal(isActive(alpha, { act: { alpha: 1, name: 'elu' } }), false, 'JSON data compare with their keys in order');
    assert.equal(isActive(init, { act: 'leaky' }), false, 'mode is not set');
    assert.equal(isActive(init, { act: 'leaky', mode: 'learned' }), true);
    assert.equal(isActive(init, { act: 'relu', mode: 'learned' }), false, 'each condition must hold');
    assert.deepEqual(activeParams(s, { act: 'leaky', mode: 'learned' }).map((p) => p.name), ['act', 'alpha', 'mode', 'init']);
    assert.deepEqual(activeParams(s, { act: 'relu' }).map((p) => p.name), ['act']);
    assert.equal(isActive(mode, { act: 'leaky' }), true);
  });

  test('choiceIndex and valueKey: by content', () => {
    assert.equal(choiceIndex(act.dist as Extract<Distribution, { kind: 'choice' }>, { name: 'elu', alpha: 1 }), 2);
    assert.equal(choiceIndex(act.dist as Extract<Distribution, { kind: 'choice' }>, 'tanh'), -1);
    assert.equal(valueKey([1, 'a']), '[1,"a"]');
  });

  test('contains: bounds (with a tolerance), integers for int, on the step, a choice by content, no other types', () => {
    assert.equal(contains(act.dist, { name: 'elu', alpha: 1 }), true);
    assert.equal(contains(act.dist, 'tanh'), false);
    assert.equal(contains(float(0, 1), 1), true);
    assert.equal(contains(float(0, 1), 1 + 1e-12), true);
    assert.equal(contains(float(0, 1), 1.001), false);
    assert.equal(contains(float(0, 1), -0.001), false);
    assert.equal(contains(float(0, 1), NaN), false);
    assert.equal(contains(float(0, 1), '0.5'), false);
    assert.equal(contains(float(0, 1, { step: 0.1 }), 0.1 + 0.2), true);
    assert.equal(contains(float(0, 1, { step: 0.1 }), 0.35), false);
    assert.equal(contains(int(1, 10), 3), true);
    assert.equal(contains(int(1, 10), 3.5), false);
    assert.equal(contains(int(32, 256, { step: 32 }), 96), true);
    assert.equal(contains(int(32, 256, { step: 32 }), 100), false);
    assert.equal(contains(int(1, 100, { log: true }), 37), true);
  });

  test('the internal scale: logs for log, widened by half a step for discrete ones', () => {
    assert.deepEqual(internalBounds(float(1e-4, 1, { log: true })), [Math.log(1e-4), 0]);
    assert.deepEqual(internalBounds(int(32, 256, { step: 32 })), [32, 256]);
    assert.deepEqual(widenedBounds(float(0, 1)), [0, 1]);
    assert.deepEqual(widenedBounds(float(0, 1, { step: 0.25 })), [-0.125, 1.125]);
    assert.deepEqual(widenedBounds(int(32, 256, { step: 32 })), [16, 272]);
    assert.deepEqual(widenedBounds(int(1, 100, { log: true })), [Math.log(0.5), Math.log(100.5)]);
    assert.equal(toInternal(float(1e-4, 1, { log: true }), Math.E), 1);
    assert.equal(toInternal(int(1, 10), 7), 7);
  });

  test('fromInternal: exp for log, rounded to the step (ints to integers), tidy decimals, clamped into the bounds', () => {
    const stepped = float(0, 1, { step: 0.1 });
    assert.equal(fromInternal(stepped, 0.2999), 0.3);
    assert.equal(fromInternal(stepped, 0.1 * 3), 0.3);
    assert.equal(fromInternal(stepped, 0.349), 0.3);
    assert.equal(fromInternal(stepped, 0.351), 0.4);
    assert.equal(fromInternal(stepped, 1.04), 1);
    assert.equal(fromInternal(stepped, -0.04), 0);
    assert.equal(fromInternal(stepped, 7), 1, 'clamped to the last value');
    assert.equal(fromInternal(float(0, 1), 1.5), 1);
    assert.equal(fromInternal(float(0, 1), -0.5), 0);
    assert.equal(fromInternal(float(0, 1), 0.123456789), 0.123456789, 'a continuous float is not rounded');
    assert.equal(fromInternal(int(1, 10), 4.5), 5);
    assert.equal(fromInternal(int(1, 10), 0.6), 1);
    assert.equal(fromInternal(int(1, 10), 10.49), 10);
    assert.equal(fromInternal(int(32, 256, { step: 32 }), 79), 64);
    assert.equal(fromInternal(int(32, 256, { step: 32 }), 81), 96);
    assert.equal(fromInternal(int(32, 256, { step: 32 }), 300), 256);
    assert.equal(fromInternal(int(1, 100, { log: true }), Math.log(7.4)), 7);
    assert.equal(fromInternal(int(1, 100, { log: true }), Math.log(0.6)), 1);
    assert.equal(fromInternal(int(1, 100, { log: true }), Math.log(100.4)), 100);
    assert.equal(fromInternal(float(1e-4, 1, { log: true }), Math.log(0.01)), Math.exp(Math.log(0.01)));
    assert.equal(fromInternal(float(1e-4, 1, { log: true }), 0.5), 1, 'exp(0.5) clamped to high');
    assert.equal(fromInternal(float(0.5, 2.5, { step: 0.5 }), 1.2), 1);
  });

  test('gridValues: a choice its values, stepped ones every value with tidy decimals, log ints every integer, floats none', () => {
    assert.deepEqual(gridValues(act.dist), ['relu', 'leaky', { name: 'elu', alpha: 1 }]);
    assert.deepEqual(gridValues(float(0, 0.5, { step: 0.1 })), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(gridValues(float(0.5, 2.5, { step: 0.5 })), [0.5, 1, 1.5, 2, 2.5]);
    assert.deepEqual(gridValues(int(32, 128, { step: 32 })), [32, 64, 96, 128]);
    assert.deepEqual(gridValues(int(-2, 2)), [-2, -1, 0, 1, 2]);
    assert.deepEqual(gridValues(int(1, 6, { log: true })), [1, 2, 3, 4, 5, 6]);
    assert.equal(gridValues(float(0, 1)), null);
    assert.equal(gridValues(float(1e-3, 1, { log: true })), null);
  });

  test('sampleUniform: values of the distribution, ends as likely as the rest for discrete ones', () => {
    const rng = new Rng(3);
    const u = () => rng.uniform();
    const dists: Distribution[] = [act.dist, float(0, 1), float(1e-4, 1, { log: true }), float(0, 0.5, { step: 0.1 }), int(1, 4), int(1, 100, { log: true }), int(32, 128, { step: 32 })];
    for (const d of dists) for (let i = 0; i < 200; i++) assert.ok(contains(d, sampleUniform(d, u)), JSON.stringify(d));
    const counts = [1, 2, 3, 4].map(() => 0);
    for (let i = 0; i < 4000; i++) counts[(sampleUniform(int(1, 4), u) as number) - 1]++;
    assert.ok(counts.every((c) => Math.abs(c - 1000) < 120), `counts ${counts}`);
    assert.equal(sampleUniform(float(0, 1), () => 0), 0);
    assert.equal(sampleUniform(float(0, 1), () => 1 - 2 ** -53), 1 - 2 ** -53);
    assert.equal(sampleUniform(act.dist, () => 0.999999), act.dist.kind === 'choice' ? act.dist.values[2] : null);
  });

  test('paramText: numbers to 4 digits, strings bare, JSON for the rest', () => {
    assert.equal(paramText(0.000123456), '0.0001235');
    assert.equal(paramText(128), '128');
    assert.equal(paramText('relu'), 'relu');
    assert.equal(paramText([64, 32]), '[64,32]');
    assert.equal(paramText(true), 'true');
  });
});
