// Same initial weights, same batches: the loss after each of 20 SGD-momentum steps and 20 Adam steps agrees
// with PyTorch within 1e-4 relative, for an MLP and for a small CNN with batch norm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { makeDataset, disposeDataset } from '../data/index.js';
import { Sequential, type ModelConfig } from '../nn/model.js';
import { randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { Trainer } from './trainer.js';
import type { OptimizerConfig } from '../optim/index.js';

const MLP: ModelConfig = {
  inputShape: [20],
  layers: [
    { type: 'dense', units: 32, activation: 'relu' },
    { type: 'dense', units: 5, activation: 'softmax' },
  ],
};

const CNN: ModelConfig = {
  inputShape: [1, 8, 8],
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, useBias: false },
    { type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 },
    { type: 'activation', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

const torchScript = `
sd = {k: torch.tensor(v['values'], dtype=torch.float32).reshape(v['shape']) for k, v in input['state'].items()}
params = {k: t.requires_grad_(True) for k, t in sd.items() if not k.startswith('1.running')}
x = torch.tensor(input['x'], dtype=torch.float32).reshape(input['xShape'])
y = torch.tensor(input['y'], dtype=torch.int64)
def forward(xb):
    if input['kind'] == 'mlp':
        return F.linear(F.relu(F.linear(xb, params['0.weight'], params['0.bias'])), params['1.weight'], params['1.bias'])
    h = F.conv2d(xb, params['0.weight'])
    h = F.batch_norm(h, sd['1.running_mean'], sd['1.running_var'], params['1.weight'], params['1.bias'], True, 0.1, 1e-5)
    h = F.max_pool2d(F.relu(h), 2).flatten(1)
    return F.linear(h, params['5.weight'], params['5.bias'])
o = input['optimizer']
plist = list(params.values())
opt = torch.optim.SGD(plist, lr=o['lr'], momentum=o['momentum']) if o['name'] == 'sgd' else torch.optim.Adam(plist, lr=o['lr'])
losses = []
bs = input['batch']
for epoch in range(input['epochs']):
    for s in range(0, x.shape[0], bs):
        opt.zero_grad()
        loss = F.cross_entropy(forward(x[s:s+bs]), y[s:s+bs])
        loss.backward()
        opt.step()
        losses.append(loss.item())
output = losses
`;

async function compare(kind: 'mlp' | 'cnn', optimizer: OptimizerConfig): Promise<void> {
  const config = kind === 'mlp' ? MLP : CNN;
  const n = kind === 'mlp' ? 64 : 32;
  const batch = n / 4;
  const rand = seededRandom(kind === 'mlp' ? 11 : 12);
  const xShape = [n, ...config.inputShape];
  const xs = randomValues(rand, xShape.reduce((a, b) => a * b, 1));
  const classes = kind === 'mlp' ? 5 : 3;
  const ys = Array.from({ length: n }, (_, i) => (i * 7 + Math.floor(rand() * 3)) % classes);
  manualSeed(kind === 'mlp' ? 1 : 2);
  const model = new Sequential(config);
  const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { values: t.toNumbers(), shape: t.shape }]));
  const want = runTorch<number[]>(torchScript, { kind, state, x: xs, xShape, y: ys, optimizer, batch, epochs: 5 });
  const data = makeDataset({
    name: `${kind}-fixture`,
    x: tensor(Float32Array.from(xs), xShape),
    y: tensor(BigInt64Array.from(ys.map(BigInt)), [n]),
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
  });
  const got: number[] = [];
  const trainer = new Trainer(model, { optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await trainer.fit(data, {
    epochs: 5,
    batchSize: batch,
    shuffle: false,
    threads: { intraOp: 1 },
    callbacks: [{ name: 'record', onBatchEnd: (log) => void got.push(log.loss) }],
  });
  assert.equal(history.status, 'completed');
  assert.equal(got.length, 20);
  got.forEach((l, i) => {
    const rel = Math.abs(l - want[i]) / Math.abs(want[i]);
    assert.ok(rel < 1e-4, `${kind} ${optimizer.name} step ${i + 1}: nnlab ${l} vs PyTorch ${want[i]} (relative ${rel.toExponential(2)})`);
  });
  assert.ok(want[19] < want[0], 'the loss went down: the comparison is of a real training run');
  disposeDataset(data);
  trainer.optimizer.dispose();
  model.dispose();
}

test('MLP: 20 SGD-momentum steps match PyTorch', () => compare('mlp', { name: 'sgd', lr: 0.1, momentum: 0.9 }));
test('MLP: 20 Adam steps match PyTorch', () => compare('mlp', { name: 'adam', lr: 0.01 }));
test('CNN with batch norm: 20 SGD-momentum steps match PyTorch', () => compare('cnn', { name: 'sgd', lr: 0.1, momentum: 0.9 }));
test('CNN with batch norm: 20 Adam steps match PyTorch', () => compare('cnn', { name: 'adam', lr: 0.01 }));
