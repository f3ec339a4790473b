// Values and gradients of a representative op set, compared with PyTorch on the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ops, tensor, tidy, type Tensor } from './index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { setThreads } from '../engine/threads.js';

interface InputSpec {
  shape: number[];
  grad?: boolean;
  lo?: number;
  hi?: number;
  /** Explicit values (e.g. class indices); dtype int64 for indices. */
  values?: number[];
  dtype?: 'float32' | 'int64' | 'bool';
}

interface Case {
  name: string;
  inputs: Record<string, InputSpec>;
  /** A Python expression over the input names, with torch and F. */
  torch: string;
  nn: (t: Record<string, Tensor>) => Tensor | Tensor[];
  rtol?: number;
}

const ints = (values: number[]): InputSpec => ({ shape: [values.length], values, dtype: 'int64' });

const cases: Case[] = [
  // linear algebra
  { name: 'matmul', inputs: { a: { shape: [5, 7], grad: true }, b: { shape: [7, 3], grad: true } }, torch: 'a @ b', nn: (t) => ops.matmul(t.a, t.b) },
  { name: 'addmm (linear layer)', inputs: { b: { shape: [4], grad: true }, x: { shape: [6, 8], grad: true }, w: { shape: [8, 4], grad: true } }, torch: 'torch.addmm(b, x, w)', nn: (t) => ops.addmm(t.b, t.x, t.w) },
  { name: 'linear', inputs: { x: { shape: [6, 8], grad: true }, w: { shape: [4, 8], grad: true }, b: { shape: [4], grad: true } }, torch: 'F.linear(x, w, b)', nn: (t) => ops.linear(t.x, t.w, t.b) },
  // convolution, normalisation, pooling
  {
    name: 'conv2d stride 2 padding 1',
    inputs: { x: { shape: [2, 3, 9, 9], grad: true }, w: { shape: [4, 3, 3, 3], grad: true }, b: { shape: [4], grad: true } },
    torch: 'F.conv2d(x, w, b, stride=2, padding=1)',
    nn: (t) => ops.conv2d(t.x, t.w, t.b, 2, 1),
    rtol: 1e-4,
  },
  {
    name: 'conv2d without bias',
    inputs: { x: { shape: [2, 2, 6, 6], grad: true }, w: { shape: [3, 2, 2, 2], grad: true } },
    torch: 'F.conv2d(x, w)',
    nn: (t) => ops.conv2d(t.x, t.w),
    rtol: 1e-4,
  },
  {
    name: 'batch norm (training: output and running statistics)',
    inputs: {
      x: { shape: [4, 3, 5, 5], grad: true, lo: -2, hi: 3 },
      w: { shape: [3], grad: true },
      b: { shape: [3], grad: true },
      rm: { shape: [3] },
      rv: { shape: [3], lo: 0.5, hi: 1.5 },
    },
    torch: '(F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5), rm, rv)',
    nn: (t) => [ops.batchNorm(t.x, t.w, t.b, t.rm, t.rv, true, 0.1, 1e-5, false), t.rm, t.rv],
    rtol: 1e-4,
  },
  {
    name: 'batch norm (evaluation)',
    inputs: { x: { shape: [4, 3], grad: true }, w: { shape: [3], grad: true }, b: { shape: [3], grad: true }, rm: { shape: [3] }, rv: { shape: [3], lo: 0.5, hi: 1.5 } },
    torch: 'F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5)',
    nn: (t) => ops.batchNorm(t.x, t.w, t.b, t.rm, t.rv, false, 0.1, 1e-5, false),
  },
  { name: 'max_pool2d', inputs: { x: { shape: [2, 3, 8, 8], grad: true } }, torch: 'F.max_pool2d(x, 2)', nn: (t) => ops.maxPool2d(t.x, 2) },
  { name: 'max_pool2d 3x3 stride 2 padding 1', inputs: { x: { shape: [1, 2, 7, 7], grad: true } }, torch: 'F.max_pool2d(x, 3, 2, 1)', nn: (t) => ops.maxPool2d(t.x, 3, 2, 1) },
  { name: 'avg_pool2d', inputs: { x: { shape: [2, 3, 8, 8], grad: true } }, torch: 'F.avg_pool2d(x, 2)', nn: (t) => ops.avgPool2d(t.x, 2) },
  // activations
  { name: 'relu', inputs: { x: { shape: [4, 6], grad: true } }, torch: 'F.relu(x)', nn: (t) => ops.relu(t.x) },
  { name: 'sigmoid', inputs: { x: { shape: [4, 6], grad: true, lo: -6, hi: 6 } }, torch: 'torch.sigmoid(x)', nn: (t) => ops.sigmoid(t.x) },
  { name: 'tanh', inputs: { x: { shape: [4, 6], grad: true, lo: -3, hi: 3 } }, torch: 'torch.tanh(x)', nn: (t) => ops.tanh(t.x) },
  { name: 'selu', inputs: { x: { shape: [4, 6], grad: true, lo: -3, hi: 3 } }, torch: 'F.selu(x)', nn: (t) => ops.selu(t.x) },
  { name: 'elu', inputs: { x: { shape: [4, 6], grad: true, lo: -3, hi: 3 } }, torch: 'F.elu(x, 0.7)', nn: (t) => ops.elu(t.x, 0.7) },
  { name: 'leaky_relu 0.2', inputs: { x: { shape: [4, 6], grad: true } }, torch: 'F.leaky_relu(x, 0.2)', nn: (t) => ops.leakyRelu(t.x, 0.2) },
  { name: 'gelu', inputs: { x: { shape: [4, 6], grad: true, lo: -3, hi: 3 } }, torch: 'F.gelu(x)', nn: (t) => ops.gelu(t.x) },
  { name: 'softmax', inputs: { x: { shape: [4, 6], grad: true, lo: -5, hi: 5 } }, torch: 'F.softmax(x, 1)', nn: (t) => ops.softmax(t.x, 1) },
  { name: 'log_softmax', inputs: { x: { shape: [4, 6], grad: true, lo: -5, hi: 5 } }, torch: 'F.log_softmax(x, 1)', nn: (t) => ops.logSoftmax(t.x, 1) },
  // losses
  { name: 'cross_entropy', inputs: { x: { shape: [5, 4], grad: true, lo: -3, hi: 3 }, y: ints([0, 3, 1, 2, 3]) }, torch: 'F.cross_entropy(x, y)', nn: (t) => ops.crossEntropyLoss(t.x, t.y) },
  { name: 'nll_loss sum', inputs: { x: { shape: [5, 4], grad: true }, y: ints([1, 1, 0, 2, 3]) }, torch: "F.nll_loss(x, y, reduction='sum')", nn: (t) => ops.nllLoss(t.x, t.y, null, 2) },
  { name: 'mse_loss', inputs: { x: { shape: [5, 3], grad: true }, y: { shape: [5, 3] } }, torch: 'F.mse_loss(x, y)', nn: (t) => ops.mseLoss(t.x, t.y) },
  { name: 'binary_cross_entropy', inputs: { p: { shape: [8], grad: true, lo: 0.05, hi: 0.95 }, y: { shape: [8], lo: 0, hi: 1 } }, torch: 'F.binary_cross_entropy(p, y)', nn: (t) => ops.binaryCrossEntropy(t.p, t.y) },
  { name: 'binary_cross_entropy_with_logits', inputs: { x: { shape: [8], grad: true, lo: -20, hi: 20 }, y: { shape: [8], lo: 0, hi: 1 } }, torch: 'F.binary_cross_entropy_with_logits(x, y)', nn: (t) => ops.binaryCrossEntropyWithLogits(t.x, t.y) },
  // reductions
  { name: 'sum', inputs: { x: { shape: [3, 4, 5], grad: true } }, torch: 'x.sum()', nn: (t) => ops.sum(t.x) },
  { name: 'mean over dims 0, 2 keepdim', inputs: { x: { shape: [3, 4, 5], grad: true } }, torch: 'x.mean([0, 2], keepdim=True)', nn: (t) => ops.meanDim(t.x, [0, 2], true) },
  { name: 'max over dim 1 (values, indices)', inputs: { x: { shape: [4, 7], grad: true } }, torch: 'x.max(1)', nn: (t) => ops.maxDim(t.x, 1) },
  { name: 'argmax', inputs: { x: { shape: [4, 7] } }, torch: 'x.argmax(1)', nn: (t) => ops.argmax(t.x, 1) },
  { name: 'std over dim 0', inputs: { x: { shape: [6, 3], grad: true } }, torch: 'x.std(0)', nn: (t) => ops.std(t.x, [0]) },
  { name: 'logsumexp', inputs: { x: { shape: [4, 6], grad: true, lo: -10, hi: 10 } }, torch: 'torch.logsumexp(x, 1)', nn: (t) => ops.logsumexp(t.x, [1]) },
  // indexing
  { name: 'index_select', inputs: { x: { shape: [6, 3], grad: true }, i: ints([5, 0, 2, 2]) }, torch: 'x.index_select(0, i)', nn: (t) => ops.indexSelect(t.x, 0, t.i) },
  { name: 'index with a tensor (x[i])', inputs: { x: { shape: [6, 3], grad: true }, i: ints([1, 4, 4]) }, torch: 'x[i]', nn: (t) => ops.index(t.x, [t.i]) },
  { name: 'gather', inputs: { x: { shape: [3, 5], grad: true }, i: { shape: [3, 2], values: [0, 4, 1, 1, 3, 2], dtype: 'int64' } }, torch: 'x.gather(1, i)', nn: (t) => ops.gather(t.x, 1, t.i) },
  { name: 'slice and narrow', inputs: { x: { shape: [6, 5], grad: true } }, torch: 'x[1:5:2, 1:4]', nn: (t) => ops.narrow(ops.slice(t.x, 0, 1, 5, 2), 1, 1, 3) },
  { name: 'masked_fill', inputs: { x: { shape: [2, 3], grad: true }, m: { shape: [2, 3], values: [1, 0, 0, 1, 1, 0], dtype: 'bool' } }, torch: 'x.masked_fill(m, -2.5)', nn: (t) => ops.maskedFill(t.x, t.m, -2.5) },
  { name: 'cat and reshape', inputs: { a: { shape: [2, 3], grad: true }, b: { shape: [4, 3], grad: true } }, torch: 'torch.cat([a, b]).reshape(3, 6).t()', nn: (t) => ops.t(ops.reshape(ops.cat([t.a, t.b]), [3, 6])) },
];

function makeInputs(): Record<string, Record<string, { shape: number[]; values: number[]; dtype: string; grad: boolean }>> {
  const rand = seededRandom(1234);
  const all: ReturnType<typeof makeInputs> = {};
  for (const c of cases) {
    all[c.name] = {};
    for (const [k, spec] of Object.entries(c.inputs)) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      all[c.name][k] = {
        shape: spec.shape,
        values: spec.values ?? randomValues(rand, n, spec.lo ?? -1, spec.hi ?? 1),
        dtype: spec.dtype ?? 'float32',
        grad: spec.grad ?? false,
      };
    }
  }
  return all;
}

// For each case: the outputs, then the gradients of sum(out * linspace(-1, 1)) over the float outputs that
// require grad, with respect to every input that requires grad.
const oracleScript = `
dtypes = {'float32': torch.float32, 'int64': torch.int64, 'bool': torch.bool}
output = {}
for name, spec in input['cases'].items():
    env = {'torch': torch, 'F': F}
    for k, v in spec['inputs'].items():
        t = torch.tensor(v['values'], dtype=torch.float64).to(dtypes[v['dtype']]).reshape(v['shape'])
        if v['grad']:
            t.requires_grad_(True)
        env[k] = t
    out = eval(spec['expr'], env)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    loss = 0
    for o in outs:
        if o.requires_grad:
            loss = loss + (o * torch.linspace(-1, 1, o.numel()).reshape(o.shape)).sum()
    grads = {}
    if not isinstance(loss, int):
        loss.backward()
        grads = {k: env[k].grad.flatten().tolist() for k, v in spec['inputs'].items() if v['grad']}
    output[name] = {'outs': [{'shape': list(o.shape), 'values': o.detach().double().flatten().tolist()} for o in outs], 'grads': grads}
`;

test('ops agree with PyTorch: values and gradients', () => {
  setThreads({ intraOp: 1 });
  const inputs = makeInputs();
  const expected = runTorch<Record<string, { outs: { shape: number[]; values: number[] }[]; grads: Record<string, number[]> }>>(
    oracleScript,
    { cases: Object.fromEntries(cases.map((c) => [c.name, { inputs: inputs[c.name], expr: c.torch }])) },
  );
  const failures: string[] = [];
  for (const c of cases) {
    tidy(() => {
      const t: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(inputs[c.name])) {
        t[k] = tensor(Float64Array.from(v.values), v.shape, v.dtype as 'float32');
        if (v.grad) t[k].requiresGrad_();
      }
      const out = c.nn(t);
      const outs = Array.isArray(out) ? out : [out];
      const want = expected[c.name];
      assert.equal(outs.length, want.outs.length, `${c.name}: number of outputs`);
      let loss: Tensor | null = null;
      outs.forEach((o, i) => {
        assert.deepEqual(o.shape, want.outs[i].shape, `${c.name}: output ${i} shape`);
        const err = closeness(o.toNumbers(), want.outs[i].values, c.rtol ?? 1e-5, 1e-6);
        if (err > 1) failures.push(`${c.name}: output ${i} differs (closeness ${err.toFixed(2)})`);
        if (o.requiresGrad) {
          const term = ops.sum(ops.mul(o, ops.reshape(ops.linspace(-1, 1, o.size), o.shape)));
          loss = loss === null ? term : ops.add(loss, term);
        }
      });
      if (loss !== null) (loss as Tensor).backward();
      for (const [k, g] of Object.entries(want.grads)) {
        const grad = t[k].grad;
        if (!grad) {
          failures.push(`${c.name}: no gradient for ${k}`);
          continue;
        }
        const err = closeness(grad.toNumbers(), g, c.rtol ?? 1e-5, 1e-6);
        if (err > 1) failures.push(`${c.name}: gradient of ${k} differs (closeness ${err.toFixed(2)})`);
      }
    });
  }
  assert.deepEqual(failures, []);
  assert.ok(cases.length >= 30);
});
