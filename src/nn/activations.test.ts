// Activations: values and gradients against PyTorch, config round trips, Keras spellings, bad configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy } from '../tensor/index.js';
import { ConfigError } from '../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { activation, ACTIVATION_NAMES, type ActivationConfig } from './activations.js';

const cases: { config: ActivationConfig; torch: string }[] = [
  { config: 'linear', torch: 'x' },
  { config: 'sigmoid', torch: 'torch.sigmoid(x)' },
  { config: 'tanh', torch: 'torch.tanh(x)' },
  { config: 'relu', torch: 'F.relu(x)' },
  { config: 'selu', torch: 'F.selu(x)' },
  { config: 'elu', torch: 'F.elu(x, 1.0)' },
  { config: { name: 'elu', alpha: 0.5 }, torch: 'F.elu(x, 0.5)' },
  { config: 'leakyRelu', torch: 'F.leaky_relu(x, 0.3)' },
  { config: { name: 'leaky_relu', alpha: 0.01 }, torch: 'F.leaky_relu(x, 0.01)' },
  { config: 'gelu', torch: 'F.gelu(x)' },
  { config: { name: 'gelu', approximate: true }, torch: "F.gelu(x, approximate='tanh')" },
  { config: 'silu', torch: 'F.silu(x)' },
  { config: 'softmax', torch: 'F.softmax(x, -1)' },
  { config: { name: 'softmax', dim: 1 }, torch: 'F.softmax(x, 1)' },
  { config: { name: 'softmax', axis: 0 }, torch: 'F.softmax(x, 0)' },
];

test('activations agree with PyTorch in values and gradients', () => {
  const shape = [5, 6];
  // Moderate values plus a few extreme ones (softmax must stay finite at ±60).
  const x = randomValues(seededRandom(7), 30, -4, 4);
  x[0] = 60;
  x[7] = -60;
  x[13] = 0;
  const expected = runTorch<{ y: number[]; g: number[] }[]>(
    `
output = []
for expr in input['exprs']:
    x = torch.tensor(input['x'], dtype=torch.float32).reshape(input['shape']).requires_grad_(True)
    y = eval(expr)
    w = torch.linspace(-1, 1, y.numel()).reshape(y.shape)
    (y * w).sum().backward()
    output.append({'y': y.detach().flatten().tolist(), 'g': x.grad.flatten().tolist()})
`,
    { x, shape, exprs: cases.map((c) => c.torch) },
  );
  const before = liveTensors().tensors;
  cases.forEach((c, i) =>
    tidy(() => {
      const xt = tensor(Float32Array.from(x), shape).requiresGrad_();
      const y = activation(c.config).apply(xt);
      ops.sum(ops.mul(y, ops.reshape(ops.linspace(-1, 1, y.size), y.shape))).backward();
      const label = JSON.stringify(c.config);
      assert.ok(closeness(y.toNumbers(), expected[i].y, 1e-5, 1e-6) <= 1, `${label}: values`);
      assert.ok(closeness(xt.grad!.toNumbers(), expected[i].g, 1e-5, 1e-6) <= 1, `${label}: gradients`);
      assert.ok(y.toNumbers().every(Number.isFinite), `${label}: finite`);
    }),
  );
  assert.equal(liveTensors().tensors, before);
  // Every name is covered.
  const covered = new Set(cases.map((c) => activation(c.config).name));
  assert.deepEqual([...covered].sort(), [...ACTIVATION_NAMES].sort());
});

test('leakyRelu defaults to Keras alpha 0.3, and elu alpha changes the negative side', () => {
  tidy(() => {
    const x = tensor([-2, 0, 3]);
    assert.deepEqual(activation('leakyRelu').apply(x).toNumbers().map((v) => +v.toFixed(6)), [-0.6, 0, 3]);
    assert.deepEqual(activation({ name: 'LeakyReLU', negative_slope: 0.5 }).apply(x).toNumbers(), [-1, 0, 3]);
    const e = activation({ name: 'elu', alpha: 2 }).apply(x).toNumbers();
    assert.ok(Math.abs(e[0] - 2 * (Math.exp(-2) - 1)) < 1e-6);
  });
});

test('configs round-trip, and every Keras spelling resolves to the camelCase name', () => {
  for (const c of cases) {
    const a = activation(c.config);
    const again = activation(a.getConfig());
    assert.deepEqual(again.getConfig(), a.getConfig());
    assert.deepEqual(JSON.parse(JSON.stringify(a.getConfig())), a.getConfig());
  }
  assert.deepEqual(activation('leaky_relu').getConfig(), { name: 'leakyRelu', alpha: 0.3 });
  assert.deepEqual(activation({ name: 'softmax' }).getConfig(), { name: 'softmax', axis: -1 });
  assert.equal(activation('Sigmoid').name, 'sigmoid');
  assert.equal(activation('GELU').name, 'gelu');
});

test('bad activation configs name the field and list the valid choices', () => {
  assert.throws(
    () => activation('reluu', 'model.layers[1].activation'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith('model.layers[1].activation: ') &&
      e.message.includes("did you mean 'relu'") &&
      ACTIVATION_NAMES.every((n) => e.message.includes(n)),
  );
  assert.throws(() => activation({ name: 'swishy' }, 'act'), /act\.name: unknown activation 'swishy'/);
  assert.throws(() => activation({ name: 'relu', alpha: 1 }, 'act'), /act\.alpha: unknown parameter of activation 'relu'; it takes no parameters/);
  assert.throws(() => activation({ name: 'elu', alpha: 'big' }, 'act'), /act\.alpha: expected a finite number/);
  assert.throws(() => activation({ name: 'softmax', axis: 1.5 }, 'act'), /act\.axis: expected an integer/);
  assert.throws(() => activation({ name: 'gelu', approximate: 'tanh' }, 'act'), /act\.approximate: expected true or false/);
  assert.throws(() => activation({ name: 'leakyRelu', alpha: 0.1, negativeSlope: 0.2 }, 'act'), /given twice/);
  assert.throws(() => activation(42 as unknown as string, 'act'), ConfigError);
  assert.throws(() => activation({ alpha: 1 } as unknown as string, 'act'), /act\.name: the activation needs a name/);
});
