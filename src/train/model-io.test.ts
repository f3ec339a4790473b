// A PyTorch nn.Sequential's state dict, written as safetensors by Python, loads into the matching nnlab model
// (same names: <layer index>.<weight>) and computes the same outputs; and the other way round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tensor, tidy } from '../tensor/index.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import { Sequential } from '../nn/model.js';
import { closeness, runTorch } from '../testing/torch-oracle.js';
import { PYTHON_SAFETENSORS } from '../testing/python-safetensors.js';
import { loadModel, saveModel } from './model-io.js';

const X = [0.5, -1, 2, 0.25, -0.75, 1.5, 0, 3];

test('a PyTorch state dict loads into the matching nnlab model; nnlab weights load into PyTorch', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-interop-'));
  const fromTorch = path.join(dir, 'torch.safetensors');
  const fromNnlab = path.join(dir, 'nnlab.safetensors');
  const model = new Sequential({
    inputShape: [4],
    layers: [
      { type: 'dense', units: 3 },
      { type: 'activation', activation: 'relu' },
      { type: 'batchNorm', epsilon: 1e-5 },
      { type: 'dense', units: 2 },
    ],
  });
  writeSafetensors(fromNnlab, model.stateDict());
  const want = runTorch<{ torchOut: number[]; nnlabOut: number[] }>(
    `${PYTHON_SAFETENSORS}
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
with torch.no_grad():
    net[2].running_mean.uniform_(-1, 1); net[2].running_var.uniform_(0.5, 2); net[2].weight.uniform_(0.5, 2)
net.eval()
write_safetensors(input['torchFile'], net.state_dict(), {})
x = torch.tensor(input['x']).reshape(2, 4)
torch_out = net(x).flatten().tolist()
theirs, _, _ = read_safetensors(input['nnlabFile'])
net.load_state_dict({**theirs, '2.num_batches_tracked': torch.tensor(0)}, strict=True)
output = {'torchOut': torch_out, 'nnlabOut': net(x).flatten().tolist()}
`,
    { torchFile: fromTorch, nnlabFile: fromNnlab, x: X },
  );
  tidy(() => {
    const x = tensor(X, [2, 4]);
    assert.ok(closeness(model.forward(x, { training: false }).toNumbers(), want.nnlabOut, 1e-5, 1e-6) <= 1, 'PyTorch computes what nnlab computes with nnlab weights');
    const { tensors } = readSafetensors(fromTorch);
    assert.ok('2.num_batches_tracked' in tensors, 'a genuine PyTorch state dict, extra buffer included');
    model.loadStateDict(tensors, fromTorch);
    assert.ok(closeness(model.forward(x, { training: false }).toNumbers(), want.torchOut, 1e-5, 1e-6) <= 1, 'nnlab computes what PyTorch computes with PyTorch weights');
  });
  model.dispose();
});

test('a state dict that does not match names what is missing, unexpected or mis-shaped', () => {
  const model = new Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 3 }] });
  tidy(() => {
    assert.throws(() => model.loadStateDict({ '0.weight': tensor(new Float32Array(12), [3, 4]) }, 'w.safetensors'), /w\.safetensors does not match the model: missing 0\.bias;/);
    assert.throws(() => model.loadStateDict({ '0.weight': tensor(new Float32Array(12), [4, 3]), '0.bias': tensor([0, 0, 0]) }, 'w.safetensors'), /w\.safetensors: 0\.weight has shape \[4, 3\], the model's is \[3, 4\]/);
    assert.throws(() => model.loadStateDict({ '0.weight': tensor(new Float32Array(12), [3, 4]), '0.bias': tensor([0, 0, 0]), '1.weight': tensor([1]) }, 'w'), /unexpected 1\.weight/);
  });
  model.dispose();
});

test("saving a model clears the half-written folder a killed save left (.run-N.tmp-<dead pid>-*)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-save-'));
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const leftover = path.join(dir, `.run-4.tmp-${dead}-deadbeef`);
  mkdirSync(leftover);
  writeFileSync(path.join(leftover, 'weights.safetensors'), 'half-written');
  const model = new Sequential({ inputShape: [3], layers: [{ type: 'dense', units: 2 }] });
  saveModel(path.join(dir, 'run-4'), model, { classes: ['a', 'b'] });
  assert.deepEqual(readdirSync(dir), ['run-4']);
  const loaded = loadModel(path.join(dir, 'run-4'));
  assert.deepEqual(loaded.info.classes, ['a', 'b']);
  loaded.model.dispose();
  model.dispose();
});

test('loading refuses weights stored in a dtype of another kind, or holding NaN or infinity, naming the tensor', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-weights-'));
  const model = new Sequential({ inputShape: [3], layers: [{ type: 'dense', units: 2 }, { type: 'batchNorm' }] });
  const saved = path.join(dir, 'm');
  saveModel(saved, model, { classes: ['a', 'b'] });
  const weightsFile = path.join(saved, 'weights.safetensors');
  const good = readSafetensors(weightsFile).tensors;
  const rewrite = (name: string, t: ReturnType<typeof tensor>) => writeSafetensors(weightsFile, { ...good, [name]: t });
  // The float bytes of 0.weight under a header that says I32: read as integers, they would predict garbage.
  const bytes = tidy(() => good['0.weight'].toNumbers());
  rewrite('0.weight', tensor(new Int32Array(Float32Array.from(bytes).buffer), [2, 3]));
  assert.throws(() => loadModel(saved), (e: Error) => e.message === `${weightsFile}: 0.weight is stored as int32, but the model's 0.weight is float32; the file does not hold this model's weights`);
  rewrite('1.running_mean', tensor(new Uint8Array([0, 1]), [2]));
  assert.throws(() => loadModel(saved), /1\.running_mean is stored as uint8, but the model's 1\.running_mean is float32/);
  rewrite('0.bias', tensor([0.5, NaN]));
  assert.throws(() => loadModel(saved), (e: Error) => e.message === `${weightsFile}: 0.bias holds 1 non-finite value(s) (NaN or infinity) of 2; these weights cannot predict`);
  rewrite('1.running_var', tensor([1, Infinity]));
  assert.throws(() => loadModel(saved), /1\.running_var holds 1 non-finite value/);
  // Floating point of another width is converted, as PyTorch's load_state_dict does.
  rewrite('0.weight', tensor(Float64Array.from(bytes), [2, 3]));
  const loaded = loadModel(saved);
  assert.deepEqual(tidy(() => loaded.model.stateDict()['0.weight'].toNumbers()), bytes);
  loaded.model.dispose();
  for (const t of Object.values(good)) t.dispose();
  model.dispose();
});
