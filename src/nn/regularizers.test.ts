// Regularizers: Keras's penalties (no ½), values and gradients against PyTorch, configs and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../tensor/index.js';
import { ConfigError } from '../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { regularizer, REGULARIZER_NAMES, type RegularizerConfig } from './regularizers.js';

test('penalties by hand: l2 adds l2·Σw² (no ½), l1 adds l1·Σ|w|', () => {
  tidy(() => {
    const w = tensor([[1, -2], [3, 0]], undefined, 'float64');
    assert.ok(Math.abs(regularizer({ name: 'l2', l2: 0.1 }).penalty(w).item() - 1.4) < 1e-12);
    assert.ok(Math.abs(regularizer({ name: 'l1', l1: 0.5 }).penalty(w).item() - 3) < 1e-12);
    assert.ok(Math.abs(regularizer({ name: 'l1_l2', l1: 0.5, l2: 0.1 }).penalty(w).item() - 4.4) < 1e-12);
    assert.ok(Math.abs(regularizer('l2').penalty(w).item() - 0.14) < 1e-12, 'Keras default l2 = 0.01');
    const none = regularizer('l1l2').penalty(w);
    assert.deepEqual([none.shape, none.item(), none.dtype], [[], 0, 'float64']);
  });
});

test('penalties and their gradients agree with PyTorch', () => {
  const configs: { config: RegularizerConfig; l1: number; l2: number }[] = [
    { config: 'l1', l1: 0.01, l2: 0 },
    { config: { name: 'l2', l2: 0.02 }, l1: 0, l2: 0.02 },
    { config: { name: 'L1L2', l1: 0.003, l2: 0.004 }, l1: 0.003, l2: 0.004 },
  ];
  const shape = [4, 3, 2, 2];
  const w = randomValues(seededRandom(3), 48, -2, 2);
  const expected = runTorch<{ p: number; g: number[] }[]>(
    `
output = []
for c in input['cases']:
    w = torch.tensor(input['w']).reshape(input['shape']).requires_grad_(True)
    p = c['l1'] * w.abs().sum() + c['l2'] * (w ** 2).sum()
    p.backward()
    output.append({'p': p.item(), 'g': w.grad.flatten().tolist()})
`,
    { w, shape, cases: configs.map(({ l1, l2 }) => ({ l1, l2 })) },
  );
  const before = liveTensors().tensors;
  configs.forEach((c, i) =>
    tidy(() => {
      const wt = tensor(Float32Array.from(w), shape).requiresGrad_();
      const p = regularizer(c.config).penalty(wt);
      assert.deepEqual(p.shape, []);
      p.backward();
      assert.ok(closeness([p.item()], [expected[i].p], 1e-5) <= 1, `${JSON.stringify(c.config)}: value`);
      assert.ok(closeness(wt.grad!.toNumbers(), expected[i].g, 1e-5, 1e-7) <= 1, `${JSON.stringify(c.config)}: gradient`);
    }),
  );
  assert.equal(liveTensors().tensors, before);
});

test('regularizer configs round-trip; bad ones name the field', () => {
  for (const name of REGULARIZER_NAMES) {
    const c = regularizer(name).getConfig();
    assert.deepEqual(regularizer(c).getConfig(), c);
  }
  assert.deepEqual(regularizer('l1_l2').getConfig(), { name: 'l1l2', l1: 0, l2: 0 });
  assert.deepEqual(regularizer({ name: 'l2', l2: 1e-4 }).getConfig(), { name: 'l2', l2: 1e-4 });
  assert.throws(
    () => regularizer('l3', 'model.layers[0].kernelRegularizer'),
    (e: unknown) => e instanceof ConfigError && /^model\.layers\[0\]\.kernelRegularizer: unknown regularizer 'l3'.*valid: l1, l2, l1l2$/.test(e.message),
  );
  assert.throws(() => regularizer({ name: 'l2', l2: -0.1 }, 'r'), /r\.l2: must be >= 0/);
  assert.throws(() => regularizer({ name: 'l2', l1: 0.1 }, 'r'), /r\.l1: unknown parameter of regularizer 'l2'; valid: l2/);
});
