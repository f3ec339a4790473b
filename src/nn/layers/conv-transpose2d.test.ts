// convTranspose2d against PyTorch's ConvTranspose2d (outputs and gradients on the same weights and batch),
// Keras's 'same' padding, its config and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { runTorch } from '../../testing/torch-oracle.js';
import { layer } from './registry.js';

// Keras's 'same' (TensorFlow's conv2d_transpose): the full transposed output, extended with bias-only rows
// where the kernel is shorter than the stride, cropped to input · stride from floor((span − stride) / 2).
const setup = `
class Same(nn.ConvTranspose2d):
    def forward(self, x):
        spans = [d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size)]
        extend = [max(s - span, 0) for s, span in zip(self.stride, spans)]
        full = F.conv_transpose2d(x, self.weight, self.bias, self.stride, 0, extend, self.groups, self.dilation)
        (t, l) = [max(span - s, 0) // 2 for s, span in zip(self.stride, spans)]
        return full[:, :, t:t + x.shape[2] * self.stride[0], l:l + x.shape[3] * self.stride[1]]
`;

test('convTranspose2d computes what PyTorch ConvTranspose2d computes: outputs, input and weight gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch(
    [
      { config: { type: 'convTranspose2d', filters: 4, kernelSize: 3 }, input: [3, 4, 5], torch: 'nn.ConvTranspose2d(3, 4, 3)' },
      { config: { type: 'convTranspose2d', filters: 2, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }, input: [4, 3, 3], torch: 'nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)' },
      { config: { type: 'convTranspose2d', filters: 6, kernelSize: [2, 3], groups: 2, dilation: 2, useBias: false }, input: [4, 3, 4], torch: 'nn.ConvTranspose2d(4, 6, (2, 3), groups=2, dilation=2, bias=False)' },
      { config: { type: 'ConvTranspose2d', in_channels: 2, out_channels: 3, kernel_size: 4, stride: 2, padding: [1, 0], bias: false }, input: [2, 3, 3], torch: 'nn.ConvTranspose2d(2, 3, 4, stride=2, padding=(1, 0), bias=False)' },
      // Keras's 'same': the output is input · strides, for odd and even spans and a kernel shorter than the stride.
      { config: { type: 'Conv2DTranspose', filters: 3, kernelSize: 3, strides: 2, padding: 'same' }, input: [2, 4, 3], torch: 'Same(2, 3, 3, stride=2)' },
      { config: { type: 'convTranspose2d', filters: 2, kernelSize: 4, strides: 2, padding: 'same' }, input: [3, 3, 3], torch: 'Same(3, 2, 4, stride=2)' },
      { config: { type: 'convTranspose2d', filters: 2, kernelSize: 2, strides: 3, padding: 'same' }, input: [2, 2, 3], torch: 'Same(2, 2, 2, stride=3)' },
      { config: { type: 'convTranspose2d', filters: 2, kernelSize: 3, dilation: 2, padding: 'same', groups: 2 }, input: [2, 4, 4], torch: 'Same(2, 2, 3, dilation=2, groups=2)' },
    ],
    setup,
  );
  assert.equal(liveTensors().tensors, before);
});

test("convTranspose2d's weight is [in, filters / groups, kh, kw], declared before it is made; config round trip", () => {
  const l = layer({ type: 'convTranspose2d', name: 'up', filters: 6, kernelSize: [2, 3], strides: 2, groups: 3, padding: 'same' }, 'l');
  assert.deepEqual(l.build([9, 4, 5]), [6, 8, 10]);
  assert.deepEqual(l.weightShapes([9, 4, 5]), [[9, 2, 2, 3], [6]]);
  assert.deepEqual([...l.weights.values()].map((t) => t.shape), [[9, 2, 2, 3], [6]]);
  assert.deepEqual(l.countParams(), { trainable: 9 * 2 * 2 * 3 + 6, nonTrainable: 0 });
  const config = l.getConfig();
  assert.deepEqual(
    { ...config, activation: undefined, kernelInitializer: undefined, biasInitializer: undefined },
    { type: 'convTranspose2d', name: 'up', filters: 6, kernelSize: [2, 3], strides: [2, 2], padding: 'same', outputPadding: [0, 0], dilation: [1, 1], groups: 3, useBias: true, kernelRegularizer: null, activation: undefined, kernelInitializer: undefined, biasInitializer: undefined },
  );
  assert.deepEqual(layer(config, 'l').getConfig(), config);
  l.dispose();
});

test('convTranspose2d draws the weights PyTorch draws after the same seed (fans of its [in, out / groups, kh, kw] layout)', () => {
  const want = runTorch<{ weight: number[]; bias: number[] }>(`
import torch.nn as nn
torch.manual_seed(7)
m = nn.ConvTranspose2d(4, 6, (2, 3), groups=2)
output = {'weight': m.weight.flatten().tolist(), 'bias': m.bias.flatten().tolist()}
`);
  manualSeed(7);
  const l = layer({ type: 'ConvTranspose2d', in_channels: 4, out_channels: 6, kernel_size: [2, 3], groups: 2 }, 'l');
  l.build([4, 5, 5]);
  assert.deepEqual(l.weights.get('weight')!.toNumbers(), want.weight);
  assert.deepEqual(l.weights.get('bias')!.toNumbers(), want.bias);
  assert.deepEqual([l.getConfig().kernelInitializer, l.getConfig().biasInitializer], [null, null]);
  l.dispose();
});

test('convTranspose2d errors name the field, or the layer and both shapes', () => {
  const make = (config: Record<string, unknown>) => layer({ type: 'convTranspose2d', filters: 4, kernelSize: 3, ...config }, 'model.layers[1]');
  assert.throws(() => make({ groups: 3 }), /model\.layers\[1\]\.groups: groups 3 must divide filters 4/);
  assert.throws(() => make({ strides: 2, outputPadding: 2 }), /model\.layers\[1\]\.outputPadding: outputPadding \[2,2\] must be smaller than strides \[2,2\] or dilation \[1,1\]/);
  assert.throws(() => make({ strides: 2, padding: 'same', outputPadding: 1 }), /model\.layers\[1\]\.outputPadding: padding 'same' sets the output size/);
  assert.throws(() => make({ padding: 'full' }), /model\.layers\[1\]\.padding: expected 'valid', 'same', or pixels/);
  const l = make({ groups: 2 });
  l.name = 'up';
  assert.throws(() => l.build([3, 4, 4]), /^ShapeError: layer 'up' \(convTranspose2d\): input \[3, 4, 4\] does not fit: its 3 channels are not divisible by groups 2$/);
  assert.throws(() => l.build([4, 4]), /input \[4, 4\] does not fit: convTranspose2d expects \[channels, height, width\]/);
  const declared = make({ inChannels: 8 });
  declared.name = 'up';
  assert.throws(() => declared.build([4, 4, 4]), /layer 'up' \(convTranspose2d\): input \[4, 4, 4\] has 4 channels, but the layer's inChannels is 8/);
  const cropped = make({ padding: 3 });
  cropped.name = 'up';
  assert.throws(() => cropped.build([2, 2, 2]), /layer 'up' \(convTranspose2d\): input \[2, 2, 2\] would produce \[4, -2, -2\]/);
});
