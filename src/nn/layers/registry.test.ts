// Layer types by name: Keras's and PyTorch's class names as spellings of nnlab's layers, PyTorch's activation
// classes as activation layers (against torch.nn's modules), and a network written in PyTorch's names that
// loads a PyTorch state dict unchanged and computes what PyTorch computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../../testing/torch-oracle.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { Sequential } from '../model.js';
import { layer, LAYER_TYPES } from './registry.js';
import type { ActivationLayer } from './activation.js';

test("Keras's and PyTorch's class names are spellings of the same layers", () => {
  const spellings: Record<string, string[]> = {
    conv1d: ['Conv1d', 'Conv1D', 'conv1d'],
    conv2d: ['Conv2d', 'Conv2D'],
    convTranspose2d: ['ConvTranspose2d', 'Conv2DTranspose', 'conv_transpose2d'],
    maxPool1d: ['MaxPool1d', 'MaxPooling1D'],
    avgPool1d: ['AvgPool1d', 'AveragePooling1D'],
    maxPool2d: ['MaxPool2d', 'MaxPooling2D'],
    avgPool2d: ['AvgPool2d', 'AveragePooling2D'],
    globalAveragePooling1d: ['GlobalAveragePooling1D', 'GlobalAvgPool1D'],
    globalAveragePooling2d: ['GlobalAveragePooling2D', 'GlobalAvgPool2D', 'global_average_pooling2d'],
    globalMaxPooling1d: ['GlobalMaxPooling1D', 'GlobalMaxPool1D'],
    globalMaxPooling2d: ['GlobalMaxPooling2D', 'GlobalMaxPool2D'],
    adaptiveAvgPool2d: ['AdaptiveAvgPool2d'],
    adaptiveMaxPool2d: ['AdaptiveMaxPool2d'],
    upSampling2d: ['UpSampling2D', 'Upsample'],
    zeroPadding2d: ['ZeroPadding2D', 'ZeroPad2d'],
    layerNormalization: ['LayerNormalization', 'LayerNorm'],
    batchNorm: ['BatchNorm1d', 'BatchNorm2d', 'BatchNormalization'],
    reshape: ['Reshape'],
    permute: ['Permute'],
    identity: ['Identity'],
    flatten: ['Flatten'],
    dropout: ['Dropout'],
    dense: ['Linear', 'Dense'],
  };
  // The fields each needs to be built at all.
  const needs: Record<string, Record<string, unknown>> = {
    conv1d: { filters: 2, kernelSize: 3 },
    conv2d: { filters: 2, kernelSize: 3 },
    convTranspose2d: { filters: 2, kernelSize: 3 },
    adaptiveAvgPool2d: { outputSize: 1 },
    adaptiveMaxPool2d: { outputSize: 1 },
    reshape: { targetShape: [-1] },
    permute: { dims: [1] },
    dropout: { rate: 0.5 },
    dense: { units: 2 },
  };
  for (const [type, names] of Object.entries(spellings)) {
    assert.ok((LAYER_TYPES as string[]).includes(type), type);
    for (const name of names) assert.equal(layer({ type: name, ...needs[type] }, 'l').type, type, name);
  }
});

test("PyTorch's activation classes are activation layers ({ type: ReLU }), computing what torch.nn's modules compute", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ type: 'ReLU' }, 'relu', 'nn.ReLU()'],
    [{ type: 'Sigmoid' }, 'sigmoid', 'nn.Sigmoid()'],
    [{ type: 'Tanh' }, 'tanh', 'nn.Tanh()'],
    [{ type: 'Softmax', dim: 1 }, 'softmax', 'nn.Softmax(dim=1)'],
    [{ type: 'GELU' }, 'gelu', 'nn.GELU()'],
    [{ type: 'LeakyReLU', negative_slope: 0.01 }, 'leakyRelu', 'nn.LeakyReLU(0.01)'],
    [{ type: 'ELU', alpha: 0.5 }, 'elu', 'nn.ELU(0.5)'],
    [{ type: 'SELU' }, 'selu', 'nn.SELU()'],
    [{ type: 'SiLU' }, 'silu', 'nn.SiLU()'],
  ];
  for (const [config, name] of cases) {
    const l = layer({ ...config, name: 'act' }, 'l') as ActivationLayer;
    assert.equal(l.type, 'activation');
    assert.equal(l.name, 'act');
    assert.equal(l.activation.name, name);
    // The config is the activation layer's, which builds the same activation again.
    assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
  }
  assert.deepEqual(layer({ type: 'LeakyReLU', alpha: 0.2 }, 'l').getConfig(), { type: 'activation', name: '', activation: { name: 'leakyRelu', alpha: 0.2 } });
  compareWithTorch(cases.map(([config, , torch]) => ({ config: { type: String(config.type), ...config }, input: [5], torch })));
  // A parameter the activation does not take is named with its path, as the activation's own fields are.
  assert.throws(() => layer({ type: 'ReLU', inplace: true }, 'model.layers[3]'), /model\.layers\[3\]\.inplace: unknown parameter of activation 'relu'; it takes no parameters/);
  assert.throws(() => layer({ type: 'Relu6' }, 'model.layers[3]'), /model\.layers\[3\]\.type: unknown layer type 'Relu6'/);
});

test('a network in PyTorch\'s names loads a PyTorch state dict unchanged and computes what PyTorch computes', () => {
  const before = liveTensors().tensors;
  const xShape = [2, 3, 8, 8];
  const x = randomValues(seededRandom(3), xShape.reduce((a, b) => a * b, 1));
  const want = runTorch<{ state: Record<string, { values: number[]; shape: number[] }>; y: number[]; params: number }>(
    `
import torch.nn as nn
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.SiLU(), nn.ConvTranspose2d(8, 4, 2, stride=2),
    nn.ZeroPad2d(1), nn.LayerNorm(10), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
    nn.Linear(4, 3), nn.Softmax(dim=1))
with torch.no_grad():
    net[1].running_mean.uniform_(-0.5, 0.5)
    net[1].running_var.uniform_(0.5, 1.5)
    net[8].weight.uniform_(0.5, 1.5)
    net[8].bias.uniform_(-0.5, 0.5)
net.eval()
y = net(torch.tensor(input['x']).reshape(input['xShape']))
output = {'state': {k: {'values': v.flatten().tolist(), 'shape': list(v.shape)} for k, v in net.state_dict().items() if v.is_floating_point()},
          'y': y.flatten().tolist(), 'params': sum(p.numel() for p in net.parameters())}
`,
    { x, xShape },
  );
  const model = new Sequential({
    inputShape: [3, 8, 8],
    layers: [
      { type: 'Conv2d', out_channels: 8, kernel_size: 3, padding: 1 },
      { type: 'BatchNorm2d', eps: 1e-5 },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernel_size: 2 },
      { type: 'Conv2d', out_channels: 8, kernel_size: 3, padding: 1, groups: 8 },
      { type: 'SiLU' },
      { type: 'ConvTranspose2d', out_channels: 4, kernel_size: 2, stride: 2 },
      { type: 'ZeroPad2d', padding: 1 },
      { type: 'LayerNorm', normalized_shape: 10, eps: 1e-5 },
      { type: 'AdaptiveAvgPool2d', output_size: 1 },
      { type: 'Flatten' },
      { type: 'Dropout', rate: 0.5 },
      { type: 'Linear', units: 3 },
      { type: 'Softmax', dim: 1 },
    ],
  });
  try {
    assert.deepEqual(Object.keys(model.stateDict()).sort(), Object.keys(want.state).sort());
    assert.equal(model.countParams().trainable, want.params);
    tidy(() => {
      const state = Object.fromEntries(Object.entries(want.state).map(([k, v]) => [k, tensor(Float32Array.from(v.values), v.shape)]));
      model.loadStateDict(state, 'the PyTorch state dict');
      const y = model.forward(tensor(Float32Array.from(x), xShape), { training: false });
      assert.deepEqual(y.shape, [2, 3]);
      assert.ok(closeness(y.toNumbers(), want.y, 1e-5, 1e-6) <= 1);
    });
  } finally {
    model.dispose();
  }
  assert.equal(liveTensors().tensors, before);
});
