// Interop with PyTorch both ways, in one Python run: a file nnlab writes loads in PyTorch with identical tensors
// (and as the state dict of torch.nn.Sequential(Linear(4,3), ReLU(), Linear(3,2))), and a state dict PyTorch
// writes loads in nnlab with identical tensors and gives the same forward pass. Debian ships no Python
// `safetensors` module, so the Python side reads and writes the format itself with struct, json and
// torch.frombuffer: an independent implementation of the same format.
import { PYTHON_SAFETENSORS } from '../testing/python-safetensors.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { liveTensors, ops, tensor, tidy, type DType, type Tensor } from '../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-safetensors-interop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Values as JSON: numbers, or strings for what JSON numbers cannot hold (NaN, infinities, -0, 64-bit ints). */
type Value = number | string;
interface Spec {
  dtype: DType;
  shape: number[];
  values: Value[];
}

const num = (v: Value): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : Number(v.replace('inf', 'Infinity')));

function build({ dtype, shape, values }: Spec): Tensor {
  if (dtype === 'int64') return tensor(BigInt64Array.from(values, (v) => BigInt(v)), shape);
  // float64 holds every value exactly (int32 extremes too); libtorch converts it to the dtype.
  return tensor(Float64Array.from(values, num), shape, dtype);
}

function bits(t: Tensor): string {
  return tidy(() => {
    const a = (t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.viewDtype('int16') : t).toTypedArray();
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  });
}

const PYTHON = `${PYTHON_SAFETENSORS}
def value(v, dtype):
    return int(v) if dtype == 'int64' else float(v) if isinstance(v, str) else v

def same(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if not a.is_floating_point():
        return torch.equal(a, b)
    a, b = a.double(), b.double()
    return bool(((a == b) | (a.isnan() & b.isnan())).all() and torch.equal(torch.signbit(a), torch.signbit(b)))

# nnlab -> PyTorch
loaded, metadata, n = read_safetensors(input['fromNnlab'])
checks = {}
for name, spec in input['expected'].items():
    want = torch.tensor([value(v, spec['dtype']) for v in spec['values']], dtype=getattr(torch, spec['dtype'])).reshape(spec['shape'])
    checks[name] = same(loaded[name], want)
x = torch.tensor(input['x']).reshape(5, 4)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
model.load_state_dict({k: loaded[k] for k in ['0.weight', '0.bias', '2.weight', '2.bias']}, strict=True)
with torch.no_grad():
    y_nnlab_weights = model(x).flatten().tolist()

# PyTorch -> nnlab
torch.manual_seed(0)
torch_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
tensors = dict(torch_model.state_dict())
tensors.update({
    'half': torch.randn(3, 5).half(), 'bf16': torch.randn(2, 3).bfloat16(), 'bf16_scalar': torch.tensor(-1.75).bfloat16(),
    'f64': torch.randn(4, dtype=torch.float64), 'f64_scalar': torch.tensor(3.25, dtype=torch.float64),
    'long': torch.tensor([-2**63, 2**63 - 1, 0, 3]), 'i32': torch.tensor([-2**31, 2**31 - 1], dtype=torch.int32),
    'i16': torch.tensor([-32768, 32767, 5], dtype=torch.int16), 'i8': torch.arange(-3, 4, dtype=torch.int8),
    'u8': torch.tensor([0, 255, 7], dtype=torch.uint8), 'flag': torch.tensor([True, False, True]),
    'empty': torch.zeros(0, 4), 'transposed': torch.randn(3, 4).t(),
})
torch_header_length = write_safetensors(input['fromTorch'], tensors, {'format': 'pt', 'source': 'torch ' + torch.__version__})
with torch.no_grad():
    y_torch = torch_model(x).flatten().tolist()
described = {k: {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
                 'hex': t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes().hex()} for k, t in tensors.items()}
output = {'checks': checks, 'metadata': metadata, 'nnlabHeaderLength': n, 'torchHeaderLength': torch_header_length, 'yNnlabWeights': y_nnlab_weights,
          'yTorch': y_torch, 'fromTorch': described}
`;

/** y = linear(relu(linear(x, w0, b0)), w2, b2): the nnlab side of Sequential(Linear(4,3), ReLU(), Linear(3,2)). */
function forward(w: Record<string, Tensor>, x: Tensor): number[] {
  return tidy(() => ops.linear(ops.linear(x, w['0.weight'], w['0.bias']).relu(), w['2.weight'], w['2.bias']).toNumbers());
}

test('interop with PyTorch both ways: identical tensors of every dtype, and the same Sequential forward pass', () => {
  const base = liveTensors().tensors;
  const rand = seededRandom(11);
  const eighths = (n: number) => Array.from({ length: n }, () => Math.round(rand() * 128 - 64) / 8); // exact in float16 and bfloat16
  const expected: Record<string, Spec> = {
    '0.weight': { dtype: 'float32', shape: [3, 4], values: randomValues(rand, 12) },
    '0.bias': { dtype: 'float32', shape: [3], values: randomValues(rand, 3) },
    '2.weight': { dtype: 'float32', shape: [2, 3], values: randomValues(rand, 6) },
    '2.bias': { dtype: 'float32', shape: [2], values: randomValues(rand, 2) },
    f32: { dtype: 'float32', shape: [2, 3], values: [...randomValues(rand, 3, -1e6, 1e6), 'inf', '-0', 'nan'] },
    f64: { dtype: 'float64', shape: [5], values: [0.1, -2.5, 1e-300, '-inf', 'nan'] },
    f16: { dtype: 'float16', shape: [2, 3], values: [...eighths(4), 65504, '-inf'] },
    bf16: { dtype: 'bfloat16', shape: [2, 2], values: [...eighths(3), 'inf'] },
    i64: { dtype: 'int64', shape: [2, 2], values: ['-9223372036854775808', '9223372036854775807', '0', '-5'] },
    i32: { dtype: 'int32', shape: [3], values: [-(2 ** 31), 2 ** 31 - 1, 7] },
    i16: { dtype: 'int16', shape: [3], values: [-32768, 32767, -1] },
    i8: { dtype: 'int8', shape: [2], values: [-128, 127] },
    u8: { dtype: 'uint8', shape: [3], values: [0, 255, 17] },
    flags: { dtype: 'bool', shape: [3], values: [1, 0, 1] },
    scalar: { dtype: 'float32', shape: [], values: [2.5] },
    empty: { dtype: 'float32', shape: [0, 4], values: [] },
  };
  const xValues = randomValues(rand, 20, -2, 2);
  const fromNnlab = path.join(dir, 'from-nnlab.safetensors');
  const fromTorch = path.join(dir, 'from-torch.safetensors');

  const ours = tidy(() => {
    const tensors = Object.fromEntries(Object.entries(expected).map(([k, s]) => [k, build(s)]));
    writeSafetensors(fromNnlab, tensors, { format: 'pt', producer: 'nnlab' });
    return forward(tensors, tensor(xValues, [5, 4]));
  });

  const out = runTorch<{
    checks: Record<string, boolean>;
    metadata: Record<string, string>;
    nnlabHeaderLength: number;
    torchHeaderLength: number;
    yNnlabWeights: number[];
    yTorch: number[];
    fromTorch: Record<string, { dtype: string; shape: number[]; hex: string }>;
  }>(PYTHON, { fromNnlab, fromTorch, expected, x: xValues });

  // nnlab -> PyTorch
  assert.deepEqual(Object.keys(out.checks).sort(), Object.keys(expected).sort());
  for (const [name, ok] of Object.entries(out.checks)) assert.ok(ok, `${name}: PyTorch reads different values`);
  assert.deepEqual(out.metadata, { format: 'pt', producer: 'nnlab' });
  assert.equal((8 + out.nnlabHeaderLength) % 8, 0, 'nnlab pads the header so that the data is 8-aligned');
  assert.ok(closeness(out.yNnlabWeights, ours, 1e-6, 1e-7) <= 1, 'PyTorch computes the same forward pass with nnlab weights');

  // PyTorch -> nnlab
  assert.equal((8 + out.torchHeaderLength) % 2, 1, 'the data PyTorch wrote starts at an odd offset');
  tidy(() => {
    const { tensors, metadata } = readSafetensors(fromTorch);
    assert.equal(metadata.format, 'pt');
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(out.fromTorch).sort());
    for (const [name, t] of Object.entries(out.fromTorch)) {
      assert.equal(tensors[name].dtype, t.dtype, `${name}: dtype`);
      assert.deepEqual(tensors[name].shape, t.shape, `${name}: shape`);
      assert.equal(bits(tensors[name]), t.hex, `${name}: values`);
    }
    assert.deepEqual(tensors['long'].toTypedArray(), new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 3n]));
    assert.equal(tensors['bf16_scalar'].to('float32').item(), -1.75);
    const y = forward(tensors, tensor(xValues, [5, 4]));
    assert.ok(closeness(y, out.yTorch, 1e-6, 1e-7) <= 1, `nnlab computes PyTorch's forward pass with its weights: ${y} vs ${out.yTorch}`);
  });
  assert.equal(liveTensors().tensors, base, 'every tensor was freed');
});
