// conv2d's groups (grouped and depthwise convolution) against PyTorch's Conv2d, its config and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

test('grouped and depthwise conv2d compute what PyTorch Conv2d computes: outputs, input and weight gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch([
    { config: { type: 'conv2d', filters: 6, kernelSize: 3, groups: 2 }, input: [4, 7, 7], torch: 'nn.Conv2d(4, 6, 3, groups=2)' },
    // Depthwise (groups = channels), a channel multiplier of 2, strides and symmetric padding.
    { config: { type: 'conv2d', filters: 6, kernelSize: 3, groups: 3, strides: 2, padding: 1, useBias: false }, input: [3, 8, 9], torch: 'nn.Conv2d(3, 6, 3, groups=3, stride=2, padding=1, bias=False)' },
    // PyTorch's spelling; 'same' with an odd kernel is PyTorch's padding='same'.
    { config: { type: 'Conv2d', in_channels: 4, out_channels: 4, kernel_size: [3, 5], groups: 4, padding: 'same', bias: false }, input: [4, 6, 6], torch: "nn.Conv2d(4, 4, (3, 5), groups=4, padding='same', bias=False)" },
    // groups 1 is the convolution as before.
    { config: { type: 'conv2d', filters: 3, kernelSize: 2, strides: [1, 2] }, input: [2, 5, 6], torch: 'nn.Conv2d(2, 3, 2, stride=(1, 2))' },
  ]);
  assert.equal(liveTensors().tensors, before);
});

test('conv2d config round trip keeps groups; a config without groups is groups 1, as before', () => {
  const l = layer({ type: 'conv2d', name: 'dw', filters: 8, kernelSize: 3, groups: 4, padding: 'same' }, 'l');
  l.build([4, 6, 6]);
  const config = l.getConfig();
  assert.equal(config.groups, 4);
  assert.equal(config.inChannels, undefined); // written only where given
  assert.equal(layer({ type: 'Conv2d', in_channels: 3, out_channels: 2, kernel_size: 1 }, 'l').getConfig().inChannels, 3);
  const again = layer(config, 'l');
  assert.deepEqual(again.getConfig(), config);
  assert.deepEqual(l.countParams(), { trainable: 8 * 1 * 3 * 3 + 8, nonTrainable: 0 });
  assert.deepEqual(l.weightShapes([4, 6, 6]), [[8, 1, 3, 3], [8]]);
  assert.deepEqual([...l.weights.values()].map((t) => t.shape), [[8, 1, 3, 3], [8]]);
  l.dispose();
  const plain = layer({ type: 'conv2d', filters: 2, kernelSize: 3 }, 'l');
  assert.equal(plain.getConfig().groups, 1);
  assert.deepEqual(plain.weightShapes([3, 5, 5]), [[2, 3, 3, 3], [2]]);
});

test('groups that do not divide the filters or the channels are errors naming the field, or the layer and both shapes', () => {
  assert.throws(() => layer({ type: 'conv2d', filters: 6, kernelSize: 3, groups: 4 }, 'model.layers[0]'), /^ConfigError: model\.layers\[0\]\.groups: groups 4 must divide filters 6$/);
  const l = layer({ type: 'conv2d', filters: 6, kernelSize: 3, groups: 3 }, 'model.layers[0]');
  l.name = 'conv2d_1';
  assert.throws(() => l.build([4, 8, 8]), /^ShapeError: layer 'conv2d_1' \(conv2d\): input \[4, 8, 8\] does not fit: its 4 channels are not divisible by groups 3$/);
  assert.throws(() => layer({ type: 'conv2d', filters: 6, kernelSize: 3, groups: 0 }, 'm'), /m\.groups: must be >= 1/);
  const declared = layer({ type: 'Conv2d', in_channels: 3, out_channels: 6, kernel_size: 3 }, 'model.layers[0]');
  declared.name = 'conv2d_1';
  assert.throws(() => declared.build([1, 8, 8]), /^ShapeError: layer 'conv2d_1' \(conv2d\): input \[1, 8, 8\] has 1 channels, but the layer's inChannels is 3$/);
});
