// WeightMemory adds up the weights of a model's layers as it is built and names the layer that passes the limit.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { ConfigError } from '../engine/errors.js';
import { layer } from './layers/registry.js';
import { WeightMemory } from './weight-memory.js';

test('the layer that takes the total past the limit is named, with its own size and the total', () => {
  const memory = new WeightMemory(4000); // 1,000 float32 weights
  const a = layer({ type: 'dense', units: 10, name: 'a' });
  const b = layer({ type: 'dense', units: 10, name: 'b' });
  memory.add(a, [[10, 50], [10]], 'model.layers[0]'); // 510
  memory.add(a, [[10, 40], [10]], 'model.layers[1]'); // 920: still fits
  assert.throws(
    () => memory.add(b, [[10, 10]], 'model.layers[2]'), // 1,020
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === "model.layers[2]: layer 'b' (dense) would have 100 weights (0.0 GiB as float32, 0.0 GiB with the layers before it), more than this machine's memory (0.0 GiB); use fewer units or filters",
  );
});

test("the default limit is this machine's memory", () => {
  assert.equal(new WeightMemory().limitBytes, os.totalmem());
});

test('a size beyond any machine is written with an exponent, not hundreds of digits', () => {
  const memory = new WeightMemory();
  assert.throws(() => memory.add(layer({ type: 'dense', units: 1e300, name: 'x' }), [[1e300, 784]], 'model.layers[0]'), /would have 7\.84e\+302 weights \(2\.9e\+294 GiB as float32\)/);
});
