// Building a Sequential: layer sizes that cannot be allocated are refused before any weight is, naming the
// layer; the weight shapes layers declare beforehand are the ones they create, so normal models build as before.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { ConfigError } from '../engine/errors.js';
import { liveTensors } from '../tensor/index.js';
import { Sequential } from './model.js';

/** A layer size whose float32 weights (with `fanIn` inputs each) just pass this machine's memory. */
const tooMany = (fanIn: number) => Math.ceil(os.totalmem() / 4 / fanIn) + 1;

test("a dense layer too large for this machine's memory is a ConfigError naming it, before anything is allocated", () => {
  const before = liveTensors().tensors;
  const units = tooMany(17); // 16 inputs and a bias each
  assert.throws(
    () => new Sequential({ inputShape: [784], layers: [{ type: 'dense', units: 16 }, { type: 'dense', units }] }, 'model'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.path === 'model.layers[1]' &&
      new RegExp(`^model\\.layers\\[1\\]: layer 'dense_2' \\(dense\\) would have ${(units * 17).toLocaleString('en-US')} weights \\([\\d.]+ GiB as float32, [\\d.]+ GiB with the layers before it\\), more than this machine's memory \\([\\d.]+ GiB\\); use fewer units or filters$`).test(e.message),
  );
  // The issue's own case: units [1000000000] after 784 inputs (3 TB of weights).
  assert.throws(() => new Sequential({ inputShape: [784], layers: [{ type: 'dense', units: 1_000_000_000 }] }, 'model'), /model\.layers\[0\]: layer 'dense_1' \(dense\) would have 785,000,000,000 weights \(2924\.4 GiB as float32\)/);
  assert.equal(liveTensors().tensors, before, 'the first layer built is freed');
});

test('a conv2d layer with too many filters is refused the same way', () => {
  const filters = tooMany(3 * 3 * 3);
  assert.throws(
    () => new Sequential({ inputShape: [3, 8, 8], layers: [{ type: 'conv2d', filters, kernelSize: 3, name: 'wide' }] }, 'model'),
    (e: unknown) => e instanceof ConfigError && e.path === 'model.layers[0]' && /^model\.layers\[0\]: layer 'wide' \(conv2d\) would have [\d,]+ weights/.test(e.message),
  );
});

test('the weight shapes a layer declares before building are the ones it creates (dense, conv2d, batch norm)', () => {
  const model = new Sequential({
    inputShape: [1, 8, 8],
    layers: [
      { type: 'conv2d', filters: 4, kernelSize: 3 },
      { type: 'batchNormalization' },
      { type: 'conv2d', filters: 2, kernelSize: 2, useBias: false },
      { type: 'flatten' },
      { type: 'dense', units: 5 },
      { type: 'batchNormalization', center: false },
      { type: 'dense', units: 3, useBias: false },
    ],
  });
  try {
    for (const l of model.layers) {
      const created = [...l.weights.values(), ...l.buffers.values()].map((t) => t.shape);
      assert.deepEqual(l.weightShapes(l.inputShape!), created, l.describe());
    }
    assert.equal(model.countParams().total, 4 * 9 + 4 + 4 * 4 + 2 * 4 * 4 + (2 * 5 * 5 * 5 + 5) + 3 * 5 + 3 * 5);
  } finally {
    model.dispose();
  }
});
