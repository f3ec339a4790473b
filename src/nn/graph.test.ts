// Graph models against PyTorch (a residual block and a concatenation: same weights, same batch, the same
// outputs and gradients, PyTorch's module names), their config round trip, the summary's connections, and the
// connection errors found before any weight exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { buildModel, Graph, isGraphConfig, Sequential, type ModelConfig } from './model.js';
import { formatSummary } from './summary.js';

const residual: ModelConfig = {
  inputShape: [4, 6, 6],
  layers: [
    { type: 'conv2d', name: 'conv1', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
    { type: 'batchNorm', name: 'bn1', momentum: 0.9, epsilon: 1e-5 },
    { type: 'activation', name: 'relu1', activation: 'relu' },
    { type: 'conv2d', name: 'conv2', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
    { type: 'batchNorm', name: 'bn2', momentum: 0.9, epsilon: 1e-5 },
    { type: 'add', name: 'skip', inputs: ['bn2', 'input'] },
    { type: 'activation', name: 'relu2', activation: 'relu' },
    { type: 'concatenate', name: 'cat', inputs: ['relu2', 'relu1'] },
    { type: 'flatten', name: 'flat' },
    { type: 'dense', name: 'fc', units: 3 },
  ],
};

// The same network as a PyTorch module tree with the same names, loaded from nnlab's state dict.
const torchResidual = `
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.fc = nn.Linear(8 * 6 * 6, 3)
    def forward(self, x):
        r1 = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(r1)) + x)
        return self.fc(torch.cat([y, r1], 1).flatten(1))
net = Net()
sd = {k: torch.tensor(v['values'], dtype=torch.float32).reshape(v['shape']) for k, v in input['state'].items()}
missing, unexpected = net.load_state_dict(sd, strict=False)
x = torch.tensor(input['x']).reshape(input['xShape']).requires_grad_(True)
g = torch.tensor(input['g']).reshape(input['gShape'])
net.train()
out = net(x)
(out * g).sum().backward()
output = {
  'keys': sorted(k for k in net.state_dict().keys() if not k.endswith('num_batches_tracked')),
  'missing': [k for k in missing if not k.endswith('num_batches_tracked')], 'unexpected': unexpected,
  'out': out.flatten().tolist(), 'dx': x.grad.flatten().tolist(),
  'grads': {k: p.grad.flatten().tolist() for k, p in net.named_parameters()},
  'running_mean': net.bn2.running_mean.tolist(),
}
`;

test('a residual block with a concatenation computes what PyTorch computes: outputs, input and weight gradients, running stats', () => {
  const base = liveTensors().tensors;
  manualSeed(11);
  const model = buildModel(residual);
  assert.ok(model instanceof Graph);
  assert.deepEqual(model.outputShape, [3]);
  const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { values: t.toNumbers(), shape: t.shape }]));
  const xShape = [2, 4, 6, 6];
  const xs = randomValues(seededRandom(3), 2 * 4 * 6 * 6);
  const gs = randomValues(seededRandom(4), 2 * 3);
  const ref = runTorch<{ keys: string[]; missing: string[]; unexpected: string[]; out: number[]; dx: number[]; grads: Record<string, number[]>; running_mean: number[] }>(torchResidual, {
    state,
    x: xs,
    xShape,
    g: gs,
    gShape: [2, 3],
  });
  assert.deepEqual(Object.keys(state).sort(), ref.keys, "PyTorch's names for the same module tree");
  assert.deepEqual([ref.missing, ref.unexpected], [[], []]);
  const x = tensor(Float32Array.from(xs), xShape).requiresGrad_(true);
  tidy(() => {
    const out = model.forward(x, { training: true });
    assert.ok(closeness(out.toNumbers(), ref.out, 1e-4, 1e-5) <= 1, 'outputs');
    ops.sum(ops.mul(out, tensor(Float32Array.from(gs), [2, 3]))).backward();
  });
  tidy(() => {
    assert.ok(closeness(x.grad!.toNumbers(), ref.dx, 1e-4, 1e-5) <= 1, 'input gradient');
    const params = model.stateDict();
    for (const [name, grad] of Object.entries(ref.grads)) assert.ok(closeness(params[name].grad!.toNumbers(), grad, 1e-4, 1e-5) <= 1, `gradient of ${name}`);
    assert.ok(closeness(params['bn2.running_mean'].toNumbers(), ref.running_mean, 1e-4, 1e-6) <= 1, 'running statistics');
  });
  x.dispose();
  model.dispose();
  assert.equal(liveTensors().tensors, base, 'no tensor left behind');
});

test("a graph's config builds the same model (names, inputs, output), and its summary says what connects to what", () => {
  manualSeed(2);
  const model = buildModel(residual);
  const config = model.getConfig();
  assert.equal(config.outputs, 'fc');
  assert.deepEqual(config.layers.find((l) => l.name === 'skip')?.inputs, ['bn2', 'input']);
  const again = buildModel(JSON.parse(JSON.stringify(config)));
  assert.deepEqual(again.getConfig(), config);
  again.loadStateDict(model.stateDict());
  tidy(() => {
    const x = tensor(Float32Array.from(randomValues(seededRandom(9), 4 * 36)), [1, 4, 6, 6]);
    assert.deepEqual(again.forward(x, { training: false }).toNumbers(), model.forward(x, { training: false }).toNumbers());
  });
  const summary = formatSummary(model);
  assert.match(summary, /Layer \(type\)\s+Output shape\s+Params\s+Connected to/);
  assert.match(summary, /skip \(add\)\s+\[4, 6, 6\]\s+0\s+bn2, input/);
  assert.match(summary, /cat \(concatenate\)\s+\[8, 6, 6\]\s+0\s+relu2, relu1/);
  model.dispose();
  again.dispose();
});

test('a layer list without inputs or merges is the Sequential it always was; naming inputs or merging makes a graph', () => {
  const plain: ModelConfig = { inputShape: [4], layers: [{ type: 'dense', units: 3 }, { type: 'dense', units: 2 }] };
  assert.equal(isGraphConfig(plain), false);
  const seq = buildModel(plain);
  assert.ok(seq instanceof Sequential);
  assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
  seq.dispose();
  const chained = buildModel({ ...plain, outputs: 'dense_2' });
  assert.ok(chained instanceof Graph, 'a named output makes a graph');
  assert.deepEqual(Object.keys(chained.stateDict()), ['dense_1.weight', 'dense_1.bias', 'dense_2.weight', 'dense_2.bias']);
  chained.dispose();
  assert.equal(isGraphConfig({ inputShape: [4], layers: [{ type: 'dense', units: 4 }, { type: 'Add', inputs: ['dense_1', 'input'] }] }), true);
});

test('connections are checked before any weight exists: unknown inputs, cycles, dead layers, merges of shapes that do not fit', () => {
  const base = liveTensors().tensors;
  const fails = (layers: ModelConfig['layers'], pattern: RegExp, type: typeof ConfigError | typeof ShapeError = ConfigError, outputs?: string) =>
    assert.throws(() => buildModel({ inputShape: [4], layers, ...(outputs ? { outputs } : {}) }), (e: unknown) => {
      assert.ok(e instanceof type, `${String(e)} is a ${type.name}`);
      assert.match((e as Error).message, pattern);
      return true;
    });
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'add', inputs: ['a', 'inptu'] }], /model\.layers\[1\]\.inputs: layer 'add_1' \(add\): no layer 'inptu' \(did you mean 'input'\?\)/);
  fails(
    [{ type: 'dense', name: 'a', units: 4, inputs: 'b' }, { type: 'dense', name: 'b', units: 4, inputs: 'a' }, { type: 'add', inputs: ['a', 'input'] }],
    /the layers 'a', 'b', 'add_1' wait on each other's outputs \(a cycle\)/,
  );
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'dense', name: 'dead', units: 2, inputs: 'input' }, { type: 'add', inputs: ['a', 'input'] }], /model\.layers\[1\]: layer 'dead' \(dense\): its output reaches nothing/);
  fails([{ type: 'dense', name: 'a', units: 3 }, { type: 'add', name: 'sum', inputs: ['a', 'input'] }], /model: layer 'sum' \(add\): inputs of different shapes \[3\], \[4\]; add needs one shape/, ShapeError);
  fails([{ type: 'dense', name: 'a', units: 3 }, { type: 'concatenate', axis: 2, inputs: ['a', 'input'] }], /axis 2 is not an axis of the inputs' samples/, ShapeError);
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'subtract', inputs: ['a', 'input', 'a'] }], /layer 'subtract_1' \(subtract\): takes 2 inputs, got 3/, ShapeError);
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'dense', name: 'b', units: 4, inputs: ['a', 'input'] }], /layer 'b' \(dense\): takes one input, got 2/, ShapeError);
  fails([{ type: 'dense', name: 'input', units: 4 }, { type: 'add', inputs: ['input', 'input'] }], /'input' names the model's input: give the layer another name/);
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'add', inputs: ['a', 'input'] }], /model\.outputs: no layer 'b'/, ConfigError, 'b');
  fails([{ type: 'dense', name: 'a', units: 4 }, { type: 'add', inputs: [] }], /model\.layers\[1\]\.inputs: expected a layer name or a list of layer names/);
  const joined = buildModel({ inputShape: [4], layers: [{ type: 'dense', name: 'a', units: 3 }, { type: 'concatenate', inputs: ['a', 'input'] }] });
  assert.deepEqual(joined.outputShape, [7]);
  joined.dispose();
  assert.equal(liveTensors().tensors, base, 'nothing allocated by the models refused');
});
