// 1-d max and average pooling against PyTorch's MaxPool1d and AvgPool1d, their configs and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

test('maxPool1d and avgPool1d compute what PyTorch computes: outputs and input gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch([
    { config: { type: 'maxPool1d' }, input: [3, 9], torch: 'nn.MaxPool1d(2)' },
    { config: { type: 'MaxPool1d', kernel_size: 3, stride: 2, padding: 1 }, input: [2, 10], torch: 'nn.MaxPool1d(3, stride=2, padding=1)' },
    { config: { type: 'AveragePooling1D', poolSize: 3 }, input: [2, 10], torch: 'nn.AvgPool1d(3)' },
    // Padding is left out of the average's count, as Keras (PyTorch: count_include_pad=False).
    { config: { type: 'avgPool1d', poolSize: 4, strides: 1, padding: 2 }, input: [3, 7], torch: 'nn.AvgPool1d(4, stride=1, padding=2, count_include_pad=False)' },
  ]);
  assert.equal(liveTensors().tensors, before);
});

test('1-d pools: config round trip (strides default to the pool size) and errors', () => {
  const l = layer({ type: 'maxPooling1D', pool_size: 3, name: 'p' }, 'l');
  assert.deepEqual(l.getConfig(), { type: 'maxPool1d', name: 'p', poolSize: 3, strides: 3, padding: 0 });
  assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
  assert.deepEqual(l.build([4, 10]), [4, 3]);
  assert.deepEqual(l.countParams(), { trainable: 0, nonTrainable: 0 });
  assert.throws(() => layer({ type: 'avgPool1d', poolSize: 2, padding: 2 }, 'm.layers[3]'), /m\.layers\[3\]\.padding: padding 2 must be at most half the pool size 2/);
  assert.throws(() => layer({ type: 'avgPool1d', poolSize: 0 }, 'm.layers[3]'), /m\.layers\[3\]\.poolSize: expected a positive integer, got 0/);
  const p = layer({ type: 'maxPool1d', poolSize: 5 }, 'm');
  p.name = 'pool';
  assert.throws(() => p.build([2, 4]), /layer 'pool' \(maxPool1d\): input \[2, 4\] is shorter than the pool of 5/);
  assert.throws(() => p.build([2, 4, 4]), /layer 'pool' \(maxPool1d\): input \[2, 4, 4\] does not fit: maxPool1d expects \[channels, length\]/);
});
