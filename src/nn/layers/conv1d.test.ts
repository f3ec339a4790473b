// conv1d against PyTorch's Conv1d (outputs and gradients on the same weights and batch), its config, its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { runTorch } from '../../testing/torch-oracle.js';
import { layer } from './registry.js';
import type { Conv1d } from './conv1d.js';

// Keras's 'causal' padding: all of the span before the sequence.
const setup = `
class Causal(nn.Conv1d):
    def forward(self, x):
        return super().forward(F.pad(x, (self.dilation[0] * (self.kernel_size[0] - 1), 0)))
`;

test('conv1d computes what PyTorch Conv1d computes: outputs, input and weight gradients (padding, strides, dilation, groups)', () => {
  const before = liveTensors().tensors;
  compareWithTorch(
    [
      { config: { type: 'conv1d', filters: 5, kernelSize: 3 }, input: [4, 11], torch: 'nn.Conv1d(4, 5, 3)' },
      { config: { type: 'conv1d', filters: 6, kernelSize: 4, padding: 'same', useBias: false }, input: [3, 9], torch: "nn.Conv1d(3, 6, 4, padding='same', bias=False)" },
      { config: { type: 'conv1d', filters: 4, kernelSize: 3, strides: 2, padding: 2, dilation: 2 }, input: [2, 13], torch: 'nn.Conv1d(2, 4, 3, stride=2, padding=2, dilation=2)' },
      { config: { type: 'conv1d', filters: 6, kernelSize: 3, groups: 2, padding: 'same' }, input: [4, 8], torch: "nn.Conv1d(4, 6, 3, groups=2, padding='same')" },
      // Depthwise, in PyTorch's spelling of the type and of its fields.
      { config: { type: 'Conv1d', in_channels: 4, out_channels: 4, kernel_size: 5, stride: 1, groups: 4, bias: false }, input: [4, 10], torch: 'nn.Conv1d(4, 4, 5, groups=4, bias=False)' },
      { config: { type: 'Conv1D', filters: 3, kernelSize: 3, padding: 'causal', dilation: 2 }, input: [2, 9], torch: 'Causal(2, 3, 3, dilation=2)' },
    ],
    setup,
  );
  assert.equal(liveTensors().tensors, before);
});

test("conv1d's 'same' output is ceil(length / strides), and an activation applies", () => {
  const l = layer({ type: 'conv1d', filters: 2, kernelSize: 4, strides: 3, padding: 'same', activation: 'relu' }, 'model.layers[0]') as Conv1d;
  l.name = 'c';
  assert.deepEqual(l.build([1, 10]), [2, 4]);
  assert.deepEqual(l.pads, [1, 2]); // total (4 - 1)·3 + 4 − 10 = 3: one before, two after
  assert.equal(l.outputActivation?.name, 'relu');
  l.dispose();
});

test('conv1d config round trip, parameter counts and declared weight shapes', () => {
  const l = layer({ type: 'Conv1d', outChannels: 6, kernelSize: [3], stride: 2, groups: 3, padding: 1, kernel_initializer: 'heUniform', name: 'c1' }, 'l');
  l.build([9, 20]);
  const config = l.getConfig();
  assert.deepEqual(config, {
    type: 'conv1d',
    name: 'c1',
    filters: 6,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    dilation: 1,
    groups: 3,
    activation: { name: 'linear' },
    useBias: true,
    kernelInitializer: { name: 'heUniform' },
    biasInitializer: null, // PyTorch's default draw
    kernelRegularizer: null,
  });
  const again = layer(config, 'l');
  assert.deepEqual(again.getConfig(), config);
  assert.deepEqual(l.countParams(), { trainable: 6 * 3 * 3 + 6, nonTrainable: 0 });
  assert.deepEqual(l.weightShapes([9, 20]), [[6, 3, 3], [6]]);
  assert.deepEqual([...l.weights.values()].map((t) => t.shape), [[6, 3, 3], [6]]);
  l.dispose();
});

test('conv1d draws the weights PyTorch draws after the same seed, unless initializers are given', () => {
  const want = runTorch<{ weight: number[]; bias: number[] }>(`
import torch.nn as nn
torch.manual_seed(42)
m = nn.Conv1d(6, 4, 3, groups=2)
output = {'weight': m.weight.flatten().tolist(), 'bias': m.bias.flatten().tolist()}
`);
  manualSeed(42);
  const l = layer({ type: 'Conv1d', in_channels: 6, out_channels: 4, kernel_size: 3, groups: 2 }, 'l');
  l.build([6, 10]);
  assert.deepEqual(l.weights.get('weight')!.toNumbers(), want.weight);
  assert.deepEqual(l.weights.get('bias')!.toNumbers(), want.bias);
  assert.deepEqual(l.getConfig().kernelInitializer, null);
  l.dispose();
  const keras = layer({ type: 'conv1d', filters: 4, kernelSize: 3, kernelInitializer: 'ones', biasInitializer: 'zeros' }, 'l');
  keras.build([2, 10]);
  assert.ok(keras.weights.get('weight')!.toNumbers().every((v) => v === 1));
  assert.ok(keras.weights.get('bias')!.toNumbers().every((v) => v === 0));
  keras.dispose();
});

test('conv1d errors name the field, or the layer and both shapes', () => {
  const build = (config: Record<string, unknown>, input: number[]) => {
    const l = layer({ type: 'conv1d', ...config }, 'model.layers[2]');
    l.name = 'conv1d_1';
    try {
      l.build(input);
    } finally {
      l.dispose();
    }
  };
  assert.throws(() => build({ filters: 6, kernelSize: 3, groups: 4 }, [8, 10]), /model\.layers\[2\]\.groups: groups 4 must divide filters 6/);
  assert.throws(() => build({ filters: 6, kernelSize: 3, groups: 3 }, [4, 10]), /layer 'conv1d_1' \(conv1d\): input \[4, 10\] does not fit: its 4 channels are not divisible by groups 3/);
  assert.throws(() => build({ filters: 2, kernelSize: 3, inChannels: 3 }, [4, 8]), /layer 'conv1d_1' \(conv1d\): input \[4, 8\] has 4 channels, but the layer's inChannels is 3/);
  assert.throws(() => build({ filters: 2, kernelSize: 3 }, [3, 8, 8]), /layer 'conv1d_1' \(conv1d\): input \[3, 8, 8\] does not fit: conv1d expects \[channels, length\]/);
  assert.throws(() => build({ filters: 2, kernelSize: 3, dilation: 3 }, [1, 6]), /input \[1, 6\] is shorter than the kernel's span of 7/);
  assert.throws(() => build({ filters: 2 }, [1, 6]), /model\.layers\[2\]\.kernelSize: conv1d needs 'kernelSize'/);
  assert.throws(() => build({ filters: 2, kernelSize: [3, 3] }, [1, 6]), /model\.layers\[2\]\.kernelSize: expected a positive integer, got \[3,3\]/);
  assert.throws(() => build({ filters: 2, kernelSize: 3, padding: 'full' }, [1, 6]), /model\.layers\[2\]\.padding: expected 'valid', 'same', 'causal'/);
  assert.throws(() => build({ filters: 2, kernelSize: 3, strides: 2, stride: 2 }, [1, 6]), /field 'strides' of conv1d is given twice/);
});
