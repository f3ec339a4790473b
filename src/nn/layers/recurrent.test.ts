// lstm, gru and simpleRnn against PyTorch's nn.LSTM, nn.GRU and nn.RNN: the same state dict and batch give the
// same outputs and the same gradients (input and every weight); the same seed draws the same initial weights as
// PyTorch (embedding's too); configs round-trip in nnlab's, Keras's and PyTorch's spellings (embedding's too);
// shapes and configs that do not fit are errors naming the layer. embedding.test.ts has the embedding's values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy, type Tensor } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { ConfigError } from '../../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../../testing/torch-oracle.js';
import { Sequential } from '../model.js';
import { layer } from './registry.js';
import type { Layer, Shape } from './layer.js';

/** A layer from its config, named and built for per-sample input `shape`. */
function built(config: Record<string, unknown>, shape: Shape, name = 'rnn_1'): Layer {
  const l = layer({ ...config }, 'model.layers[0]');
  l.name = name;
  l.build(shape);
  return l;
}

const stateOf = (l: Layer) => Object.fromEntries([...l.weights].map(([k, t]) => [k, { values: t.toNumbers(), shape: t.shape }]));

interface Case {
  label: string;
  config: Record<string, unknown>;
  /** PyTorch's module over the same sizes. */
  torch: string;
}

const [N, T, F] = [3, 5, 4];

const cases: Case[] = [
  { label: 'lstm, 2 layers, bidirectional, every step', config: { type: 'lstm', units: 6, numLayers: 2, bidirectional: true, returnSequences: true }, torch: 'torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)' },
  { label: 'lstm, 2 layers, bidirectional, last step', config: { type: 'lstm', units: 6, numLayers: 2, bidirectional: true }, torch: 'torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)' },
  { label: 'lstm, one layer, last step, no bias', config: { type: 'lstm', units: 7, useBias: false }, torch: 'torch.nn.LSTM(4, 7, bias=False, batch_first=True)' },
  { label: 'gru, 2 layers, bidirectional, last step', config: { type: 'gru', units: 5, numLayers: 2, bidirectional: true }, torch: 'torch.nn.GRU(4, 5, num_layers=2, bidirectional=True, batch_first=True)' },
  { label: 'gru, 2 layers, every step', config: { type: 'gru', units: 5, numLayers: 2, returnSequences: true }, torch: 'torch.nn.GRU(4, 5, num_layers=2, batch_first=True)' },
  { label: 'simpleRnn, tanh, bidirectional, every step', config: { type: 'simpleRnn', units: 6, bidirectional: true, returnSequences: true }, torch: 'torch.nn.RNN(4, 6, bidirectional=True, batch_first=True)' },
  { label: 'simpleRnn, relu, 2 layers, last step', config: { type: 'simpleRnn', units: 6, numLayers: 2, activation: 'relu' }, torch: "torch.nn.RNN(4, 6, num_layers=2, nonlinearity='relu', batch_first=True)" },
];

// Each module loads the nnlab state dict unchanged; the output without returnSequences is h_n of the last layer,
// both directions concatenated ([N, dirs·units]).
const torchRecurrent = `
x0 = torch.tensor(input['x'], dtype=torch.float32).reshape(input['xShape'])
output = []
for case in input['cases']:
    m = eval(case['torch'])
    m.load_state_dict({k: torch.tensor(v['values'], dtype=torch.float32).reshape(v['shape']) for k, v in case['state'].items()}, strict=True)
    x = x0.clone().requires_grad_(True)
    out, h = m(x)
    hn = h[0] if isinstance(h, tuple) else h
    d = 2 if m.bidirectional else 1
    y = out if case['sequences'] else hn[-d:].permute(1, 0, 2).reshape(x.shape[0], -1)
    r = torch.linspace(-1, 1, y.numel()).reshape(y.shape)
    (y * r).sum().backward()
    output.append({'y': y.detach().flatten().tolist(), 'shape': list(y.shape), 'dx': x.grad.flatten().tolist(),
                   'dw': {k: p.grad.flatten().tolist() for k, p in m.named_parameters()}})
`;

test('lstm, gru and simpleRnn compute what nn.LSTM, nn.GRU and nn.RNN compute: outputs, input and weight gradients', () => {
  const before = liveTensors().tensors;
  manualSeed(11);
  const xs = randomValues(seededRandom(3), N * T * F, -2, 2);
  const layers = cases.map((c) => built(c.config, [T, F]));
  const want = runTorch<{ y: number[]; shape: number[]; dx: number[]; dw: Record<string, number[]> }[]>(torchRecurrent, {
    x: xs,
    xShape: [N, T, F],
    cases: cases.map((c, i) => ({ torch: c.torch, state: stateOf(layers[i]), sequences: c.config.returnSequences === true })),
  });
  cases.forEach((c, i) => {
    const l = layers[i];
    tidy(() => {
      const x = tensor(Float32Array.from(xs), [N, T, F]).requiresGrad_();
      const y = l.call(x, { training: true });
      assert.deepEqual(y.shape, [N, ...l.outputShape!], `${c.label}: the batch has the declared output shape`);
      assert.deepEqual(y.shape, want[i].shape, `${c.label}: shape`);
      ops.sum(ops.mul(y, ops.reshape(ops.linspace(-1, 1, y.size), y.shape))).backward();
      assert.ok(closeness(y.toNumbers(), want[i].y, 1e-5, 1e-6) <= 1, `${c.label}: outputs`);
      assert.ok(closeness(x.grad!.toNumbers(), want[i].dx, 1e-4, 1e-6) <= 1, `${c.label}: input gradient`);
      assert.deepEqual([...l.weights.keys()], Object.keys(want[i].dw), `${c.label}: PyTorch's weight names, in its order`);
      for (const [k, w] of l.weights) assert.ok(closeness(w.grad!.toNumbers(), want[i].dw[k], 1e-4, 1e-6) <= 1, `${c.label}: gradient of ${k}`);
    });
    // Evaluation mode computes the same (no dropout here) and keeps no graph.
    tidy(() => {
      const y = l.call(tensor(Float32Array.from(xs), [N, T, F]), { training: false });
      assert.ok(closeness(y.toNumbers(), want[i].y, 1e-5, 1e-6) <= 1, `${c.label}: outputs in evaluation mode`);
    });
    l.dispose();
  });
  assert.equal(liveTensors().tensors, before);
});

test('the same seed draws the same initial weights as PyTorch: uniform(±1/√units) for recurrent layers, N(0, 1) for embeddings', () => {
  const made = [
    { config: { type: 'lstm', units: 6, numLayers: 2, bidirectional: true }, shape: [T, F], torch: 'torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)' },
    { config: { type: 'gru', units: 5 }, shape: [T, F], torch: 'torch.nn.GRU(4, 5, batch_first=True)' },
    { config: { type: 'embedding', inputDim: 10, outputDim: 3 }, shape: [T], torch: 'torch.nn.Embedding(10, 3)' },
    { config: { type: 'embedding', inputDim: 10, outputDim: 3, paddingIdx: 2 }, shape: [T], torch: 'torch.nn.Embedding(10, 3, padding_idx=2)' },
  ].map((m) => {
    manualSeed(21);
    const l = built(m.config, m.shape);
    const state = stateOf(l);
    l.dispose();
    return { torch: m.torch, state };
  });
  const want = runTorch<Record<string, number[]>[]>(
    `
output = []
for m in input:
    torch.manual_seed(21)
    output.append({k: v.flatten().tolist() for k, v in eval(m['torch']).state_dict().items()})
`,
    made.map((m) => ({ torch: m.torch })),
  );
  made.forEach((m, i) => {
    assert.deepEqual(Object.keys(m.state), Object.keys(want[i]), m.torch);
    for (const [k, v] of Object.entries(m.state)) assert.deepEqual(v.values, want[i][k], `${m.torch}: ${k}`);
  });
});

test('dropout between stacked layers acts in training only', () => {
  manualSeed(2);
  const l = built({ type: 'lstm', units: 8, numLayers: 2, dropout: 0.5 }, [T, F]);
  tidy(() => {
    const x = tensor(Float32Array.from(randomValues(seededRandom(4), N * T * F)), [N, T, F]);
    const ev = [l.call(x, { training: false }).toNumbers(), l.call(x, { training: false }).toNumbers()];
    assert.deepEqual(ev[0], ev[1], 'evaluation is deterministic');
    const tr = l.call(x, { training: true }).toNumbers();
    assert.notDeepEqual(tr, ev[0], 'training drops between the layers');
  });
  l.dispose();
});

test("configs round-trip, in nnlab's, Keras's and PyTorch's spellings", () => {
  const spellings: [Record<string, unknown>, Shape, Record<string, unknown>][] = [
    [
      { type: 'LSTM', input_size: 4, hidden_size: 8, num_layers: 2, batch_first: true, bidirectional: true, dropout: 0.25, bias: false },
      [T, F],
      { type: 'lstm', name: 'rnn_1', units: 8, returnSequences: false, numLayers: 2, bidirectional: true, dropout: 0.25, useBias: false, inputSize: 4 },
    ],
    [{ type: 'GRU', units: 3, return_sequences: true }, [T, F], { type: 'gru', name: 'rnn_1', units: 3, returnSequences: true, numLayers: 1, bidirectional: false, dropout: 0, useBias: true }],
    [{ type: 'RNN', hidden_size: 3, nonlinearity: 'relu' }, [T, F], { type: 'simpleRnn', name: 'rnn_1', units: 3, returnSequences: false, numLayers: 1, bidirectional: false, dropout: 0, useBias: true, activation: 'relu' }],
    [{ type: 'SimpleRNN', units: 3 }, [T, F], { type: 'simpleRnn', name: 'rnn_1', units: 3, returnSequences: false, numLayers: 1, bidirectional: false, dropout: 0, useBias: true, activation: 'tanh' }],
    [{ type: 'Embedding', num_embeddings: 20, embedding_dim: 4 }, [T], { type: 'embedding', name: 'rnn_1', inputDim: 20, outputDim: 4 }],
    [{ type: 'embedding', input_dim: 20, output_dim: 4, padding_idx: 0 }, [T], { type: 'embedding', name: 'rnn_1', inputDim: 20, outputDim: 4, paddingIdx: 0 }],
  ];
  for (const [given, shape, config] of spellings) {
    const l = built(given, shape);
    assert.deepEqual(l.getConfig(), config, JSON.stringify(given));
    const again = built(l.getConfig(), shape);
    assert.deepEqual(again.getConfig(), config);
    assert.deepEqual([...again.weights.keys()], [...l.weights.keys()]);
    for (const m of [l, again]) m.dispose();
  }
});

test('the parameter counts are PyTorch\'s, and a model of embedding, lstm and dense builds, trains and round-trips', () => {
  const before = liveTensors().tensors;
  // nn.LSTM(28, 128): 4·128·(28 + 128) + 2·4·128 = 80,896; bidirectional, 2 layers: layer 2 reads 256 features.
  const counts = runTorch<number[]>(
    'output = [sum(p.numel() for p in m.parameters()) for m in [torch.nn.LSTM(28, 128), torch.nn.LSTM(28, 16, num_layers=2, bidirectional=True), torch.nn.GRU(28, 16, bias=False), torch.nn.RNN(28, 16), torch.nn.Embedding(100, 8)]]',
  );
  const ours = [
    built({ type: 'lstm', units: 128 }, [28, 28]),
    built({ type: 'lstm', units: 16, numLayers: 2, bidirectional: true }, [28, 28]),
    built({ type: 'gru', units: 16, useBias: false }, [28, 28]),
    built({ type: 'simpleRnn', units: 16 }, [28, 28]),
    built({ type: 'embedding', inputDim: 100, outputDim: 8 }, [28]),
  ];
  assert.deepEqual(ours.map((l) => l.countParams().trainable), counts);
  assert.equal(counts[0], 80_896);
  for (const l of ours) assert.deepEqual(l.weightShapes(l.inputShape!), [...l.weights.values()].map((t) => t.shape), `${l.type}: declared weight shapes`);
  ours.forEach((l) => l.dispose());

  const model = new Sequential({
    inputShape: [6],
    seed: 1,
    layers: [
      { type: 'embedding', inputDim: 12, outputDim: 5 },
      { type: 'gru', units: 8, returnSequences: true },
      { type: 'lstm', units: 8, bidirectional: true },
      { type: 'dense', units: 2 },
    ],
  });
  assert.deepEqual(model.layers.map((l) => l.outputShape), [[6, 5], [6, 8], [16], [2]]);
  assert.ok(Object.keys(model.stateDict()).includes('2.weight_hh_l0_reverse'));
  const again = new Sequential(model.getConfig());
  assert.deepEqual(again.getConfig(), model.getConfig());
  // A few steps of gradient descent on one batch lower the loss: the gradients reach every weight.
  const rand = seededRandom(9);
  const x = tensor(Array.from({ length: 8 * 6 }, () => Math.floor(rand() * 12)), [8, 6]);
  const y = tensor([0, 1, 1, 0, 1, 0, 0, 1], [8], 'int64');
  const lossAt = () => tidy(() => ops.crossEntropyLoss(model.forward(x, { training: true }), y));
  const first = tidy(() => lossAt().item());
  for (let i = 0; i < 20; i++) {
    tidy(() => {
      for (const p of model.parameters()) p.grad?.zero_();
      lossAt().backward();
      for (const p of model.parameters()) {
        assert.ok(p.grad, 'every weight gets a gradient');
        ops.sub_(p.detach(), ops.mul(p.grad, 0.5));
      }
    });
  }
  const last = tidy(() => lossAt().item());
  assert.ok(last < first - 0.1, `the loss fell: ${first} -> ${last}`);
  for (const t of [x, y] as Tensor[]) t.dispose();
  for (const m of [model, again]) m.dispose();
  assert.equal(liveTensors().tensors, before);
});

test('shapes and configs that do not fit are errors naming the layer, the field or both shapes', () => {
  const shapeError = (config: Record<string, unknown>, shape: Shape) => () => built(config, shape);
  assert.throws(shapeError({ type: 'lstm', units: 4 }, [1, 28, 28]), /layer 'rnn_1' \(lstm\): input \[1, 28, 28\] does not fit: lstm expects \[steps, features\]; read images as sequences of rows with data\.view: sequence/);
  assert.throws(shapeError({ type: 'gru', units: 4 }, [784]), /layer 'rnn_1' \(gru\): input \[784\] does not fit: gru expects \[steps, features\]; an embedding layer before it/);
  assert.throws(shapeError({ type: 'LSTM', input_size: 10, hidden_size: 4 }, [28, 28]), /layer 'rnn_1' \(lstm\): input \[28, 28\] has 28 features per step, but the layer's inputSize is 10/);
  assert.throws(
    () => new Sequential({ inputShape: [1, 28, 28], layers: [{ type: 'lstm', units: 4 }] }),
    /model: layer 'lstm_1' \(lstm\): input \[1, 28, 28\] does not fit/,
  );
  const configError = (config: Record<string, unknown>, pattern: RegExp) => assert.throws(() => layer(config, 'model.layers[2]'), (e: Error) => e instanceof ConfigError && pattern.test(e.message));
  configError({ type: 'lstm', units: 4, dropout: 0.2 }, /model\.layers\[2\]\.dropout: lstm's dropout acts between stacked layers \(PyTorch's\), so with numLayers 1 it would do nothing/);
  configError({ type: 'lstm', units: 4, batchFirst: false }, /model\.layers\[2\]\.batchFirst: nnlab's sequences are always batch first/);
  configError({ type: 'lstm' }, /model\.layers\[2\]\.units: lstm needs 'units'/);
  configError({ type: 'gru', units: 4, numLayers: 0 }, /model\.layers\[2\]\.numLayers: must be >= 1/);
  configError({ type: 'lstm', units: 4, returnSequence: true }, /model\.layers\[2\]\.returnSequence: unknown field of lstm 'returnSequence' \(did you mean 'returnSequences'\?\)/);
  configError({ type: 'simpleRnn', units: 4, activation: 'sigmoid' }, /model\.layers\[2\]\.activation/);
  configError({ type: 'embedding', inputDim: 5 }, /model\.layers\[2\]\.outputDim: embedding needs 'outputDim'/);
  configError({ type: 'embedding', inputDim: 5, outputDim: 2, paddingIdx: 5 }, /model\.layers\[2\]\.paddingIdx: must be an index of the table, below inputDim 5, got 5/);
});
