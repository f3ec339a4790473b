// JSON columns keep what plain JSON would lose (NaN, ±Infinity) and name the field of a value it cannot hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlabError } from '../engine/errors.js';
import { fromJson, toJson } from './json.js';

test('round trip of nested numbers, matrices, null and non-finite numbers', () => {
  const value = { loss: NaN, best: Infinity, worst: -Infinity, cm: [[1, 2], [3, 4]], nested: { a: [null, 0.1 + 0.2, { b: [] }] }, none: null };
  const text = toJson(value, 'x');
  assert.deepEqual(fromJson(text), value);
  assert.equal(JSON.parse(text).loss.$number, 'NaN'); // stored as plain JSON text
  assert.equal(toJson(undefined, 'x'), 'null');
  assert.deepEqual(fromJson(toJson([NaN], 'x')), [NaN]);
});

test('an object that merely has a $number key among others is left alone', () => {
  const value = { $number: 'NaN', other: 1 };
  assert.deepEqual(fromJson(toJson(value, 'x')), value);
});

test('a value JSON cannot hold is an NnlabError naming the field', () => {
  assert.throws(() => toJson({ n: 1n }, 'run.config'), (e: unknown) => e instanceof NnlabError && /run\.config cannot be stored as JSON: .*BigInt/.test(e.message));
});
