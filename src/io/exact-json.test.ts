// Exact JSON: every number round-trips (NaN, ±Infinity, -0 included); what JSON cannot hold is refused by path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExact, stringifyExact } from './exact-json.js';

test('numbers round-trip exactly, special ones included, and ordinary JSON stays ordinary', () => {
  const value = { a: [0.1 + 0.2, 1e-310, -1.7976931348623157e308, 5e-324], best: Infinity, worst: -Infinity, nan: NaN, negZero: -0, zero: 0, s: 'x', n: null, t: true, nested: [{ k: [NaN] }] };
  const back = parseExact(stringifyExact(value));
  assert.deepStrictEqual(back, value);
  assert.ok(Object.is((back as { negZero: number }).negZero, -0));
  assert.deepEqual(JSON.parse(stringifyExact({ x: 1.5, y: [1, 'a'] })), { x: 1.5, y: [1, 'a'] }, 'finite numbers are plain JSON');
  assert.deepEqual(JSON.parse(stringifyExact({ best: Infinity })), { best: { $number: 'Infinity' } });
  assert.deepEqual(parseExact('{"$number": "other"}'), { $number: 'other' }, 'only the known tags are numbers');
});

test('values JSON cannot hold are refused, naming the field', () => {
  assert.throws(() => stringifyExact({ a: [1, undefined] }, 'state'), /state\.a\[1\]: a undefined cannot be stored/);
  assert.throws(() => stringifyExact({ f: () => 1 }), /value\.f: a function/);
  assert.throws(() => stringifyExact({ d: new Date(0) }), /value\.d: a Date/);
  assert.throws(() => stringifyExact({ b: 1n }), /value\.b: a bigint/);
  assert.throws(() => stringifyExact({ t: { $number: 'NaN' } }), /value\.t: an object whose only key is '\$number'/);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => stringifyExact(loop), /value\.self: a reference to itself/);
});
