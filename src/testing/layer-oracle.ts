// Test support: one layer against the PyTorch module that should compute the same thing. Each case builds the
// nnlab layer from its config, gives its weights random values, and runs a batch forward and backward (the loss
// is Σ y·g for a fixed random g); PyTorch builds its module from a Python expression, loads the same weights
// by their names with load_state_dict(strict=True) (so the names and layout are PyTorch's), and does the same.
// The outputs, the output shape, the input's gradient, every weight's gradient and the parameter counts are
// compared. One Python run covers all the cases of a test.
import assert from 'node:assert/strict';
import { noGrad, ops, tensor, tidy } from '../tensor/index.js';
import { layer } from '../nn/layers/registry.js';
import type { LayerConfig } from '../nn/layers/layer.js';
import { closeness, randomValues, runTorch, seededRandom } from './torch-oracle.js';

export interface LayerCase {
  /** The nnlab layer config. */
  config: LayerConfig;
  /** The per-sample input shape. */
  input: number[];
  /** A Python expression making the torch.nn module (torch, F and nn are imported; `setup` may define more). */
  torch: string;
  /** Batch size (default 2). */
  batch?: number;
  /** Training mode on both sides (default false). */
  training?: boolean;
}

interface TorchAnswer {
  shape: number[];
  y: number[];
  gx: number[];
  grads: Record<string, number[]>;
  params: number;
}

const n = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Compares every case with PyTorch (see the top of this file); `setup` is Python run first (helper modules).
 * Tolerances are closeness()'s (relative 1e-5 and absolute 1e-5 by default: float32 sums in another order).
 */
export function compareWithTorch(cases: LayerCase[], setup = '', rtol = 1e-5, atol = 1e-5): void {
  const rand = seededRandom(11);
  const built = cases.map((c) => {
    const l = layer(c.config, 'layer');
    l.name = c.config.type;
    l.build(c.input);
    const state: Record<string, { values: number[]; shape: number[] }> = {};
    noGrad(() => {
      for (const [name, t] of [...l.weights, ...l.buffers]) {
        const values = randomValues(rand, t.size, -0.5, 0.5);
        tidy(() => t.copy_(tensor(Float32Array.from(values), t.shape)));
        state[name] = { values, shape: [...t.shape] };
      }
    });
    const xShape = [c.batch ?? 2, ...c.input];
    const x = randomValues(rand, n(xShape));
    const g = randomValues(rand, n([c.batch ?? 2, ...l.outputShape!]));
    return { c, l, state, xShape, x, g };
  });
  const answers = runTorch<TorchAnswer[]>(
    `
import torch.nn as nn
${setup}
output = []
for case in input:
    m = eval(case['torch'])
    m.load_state_dict({k: torch.tensor(v['values'], dtype=torch.float32).reshape(v['shape']) for k, v in case['state'].items()}, strict=True)
    m.train(case['training'])
    x = torch.tensor(case['x'], dtype=torch.float32).reshape(case['xShape']).requires_grad_(True)
    y = m(x)
    (y * torch.tensor(case['g'], dtype=torch.float32).reshape(y.shape)).sum().backward()
    output.append({'shape': list(y.shape), 'y': y.detach().flatten().tolist(), 'gx': x.grad.flatten().tolist(),
                   'grads': {k: p.grad.flatten().tolist() for k, p in m.named_parameters()},
                   'params': sum(p.numel() for p in m.parameters())})
`,
    built.map(({ c, state, xShape, x, g }) => ({ torch: c.torch, state, xShape, x, g, training: c.training ?? false })),
  );
  built.forEach(({ c, l, xShape, x, g }, i) => {
    const want = answers[i];
    const label = `${JSON.stringify(c.config)} on ${JSON.stringify(c.input)}`;
    try {
      assert.deepEqual(want.shape.slice(1), l.outputShape, `${label}: output shape`);
      assert.equal(l.countParams().trainable, want.params, `${label}: parameter count`);
      tidy(() => {
        const xt = tensor(Float32Array.from(x), xShape).requiresGrad_();
        const y = l.call(xt, { training: c.training ?? false });
        ops.sum(ops.mul(y, tensor(Float32Array.from(g), y.shape))).backward();
        const close = (got: number[], expected: number[], what: string) => {
          const worst = closeness(got, expected, rtol, atol);
          assert.ok(worst <= 1, `${label}: ${what} differ from PyTorch's (worst ${worst.toFixed(2)} of the tolerance)`);
        };
        close(y.toNumbers(), want.y, 'outputs');
        close(xt.grad!.toNumbers(), want.gx, 'input gradients');
        assert.deepEqual(Object.keys(want.grads).sort(), [...l.weights.keys()].sort(), `${label}: weight names`);
        for (const [name, w] of l.weights) close(w.grad!.toNumbers(), want.grads[name], `gradients of ${name}`);
      });
    } finally {
      l.dispose();
    }
  });
}
