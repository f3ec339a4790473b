// Sequential.to(device): every weight and buffer moves, weights stay trainable, and nothing is left behind.
// Checked on libtorch's 'meta' device (shapes without data), which every build has, so it runs without a GPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveTensors } from '../tensor/index.js';
import { Sequential } from './model.js';

test("to(device) moves weights and buffers, keeps weights trainable, frees the old tensors; the same device is a no-op", () => {
  const model = new Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 3 }, { type: 'batchNormalization' }] });
  try {
    const before = liveTensors().tensors;
    const weight = model.parameters()[0];
    assert.equal(model.to('cpu').parameters()[0], weight, 'already there: the same tensor');
    model.to('meta');
    assert.equal(model.device, 'meta');
    assert.deepEqual(Object.values(model.stateDict()).map((t) => t.device), Array(6).fill('meta'), 'kernel, bias, gamma, beta and the two running statistics');
    assert.deepEqual(model.parameters().map((p) => p.requiresGrad), [true, true, true, true]);
    assert.ok(!model.layers[1].buffers.get('running_mean')!.requiresGrad, 'buffers are not trainable');
    assert.ok(weight.isDisposed, 'the CPU weight was freed');
    assert.equal(liveTensors().tensors, before, 'as many live tensors as before');
  } finally {
    model.dispose();
  }
});
