// Training on a GPU: the same fit on cuda:0 and on the CPU, from the same weights and batches, gives the same
// history within float tolerance, with the weights, the optimizer state and the batches' computation on the
// GPU. It runs where CUDA is available; elsewhere (CI, Debian's CPU-only libtorch) it says it did not run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cudaInfo } from '../engine/device.js';
import { manualSeed } from '../engine/seed.js';
import { makeDataset, disposeDataset } from '../data/index.js';
import { Sequential, type ModelConfig } from '../nn/model.js';
import { ops, tensor, tidy } from '../tensor/index.js';
import { Trainer } from './trainer.js';

const cuda = cudaInfo();
const NO_CUDA = cuda.available ? false : 'did not run: no CUDA here (this libtorch reports no GPU); it runs on a machine with one (scripts/gpu-check.sh)';

const config: ModelConfig = {
  inputShape: [8],
  layers: [
    { type: 'dense', units: 32, activation: 'relu' },
    { type: 'batchNormalization' },
    { type: 'dropout', rate: 0.0 },
    { type: 'dense', units: 4, activation: 'softmax' },
  ],
};

function data(seed: number) {
  manualSeed(seed);
  return tidy(() => {
    const y = ops.remainder(ops.arange(0, 512, 1, 'int64'), 4);
    const x = ops.add(ops.mul(ops.randn([512, 8], 'float32'), 0.7), ops.unsqueeze(y.to('float32'), 1));
    return makeDataset({ name: `blobs-${seed}`, x, y, classes: ['a', 'b', 'c', 'd'] });
  });
}

test('fit on cuda:0 matches fit on the CPU, with everything that trains on the GPU', { skip: NO_CUDA }, async () => {
  const train = data(1);
  const val = data(2);
  const histories: { loss: number; acc: number; valAcc: number }[][] = [];
  let weightsOnGpu: number[] = [];
  for (const device of ['cpu', 'cuda:0']) {
    manualSeed(0);
    const model = new Sequential(config);
    const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.01 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], device });
    try {
      assert.equal(model.device, device);
      const h = await trainer.fit(train, { epochs: 3, batchSize: 64, shuffle: false, validationData: val, seed: 5 });
      histories.push(h.epochs.map((e) => ({ loss: e.train.loss as number, acc: e.train.accuracy as number, valAcc: e.val!.accuracy as number })));
      if (device !== 'cpu') {
        assert.ok(Object.values(model.stateDict()).every((t) => t.device === device), 'weights and buffers on the GPU');
        assert.ok(Object.values(trainer.optimizer.stateDict().tensors).every((t) => t.device === device), 'optimizer state on the GPU');
        const probs = trainer.predict(tensor([[0, 0, 0, 0, 0, 0, 0, 0]]));
        assert.equal(probs.device, 'cpu', 'predictions come back to the CPU');
        weightsOnGpu = model.parameters()[0].toNumbers().slice(0, 4);
      }
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  const [cpu, gpu] = histories;
  for (let e = 0; e < cpu.length; e++) {
    assert.ok(Math.abs(cpu[e].loss - gpu[e].loss) < 1e-3, `epoch ${e + 1} loss: cpu ${cpu[e].loss}, gpu ${gpu[e].loss}`);
    assert.ok(Math.abs(cpu[e].valAcc - gpu[e].valAcc) < 0.02, `epoch ${e + 1} val accuracy: cpu ${cpu[e].valAcc}, gpu ${gpu[e].valAcc}`);
  }
  assert.equal(weightsOnGpu.length, 4);
  disposeDataset(train);
  disposeDataset(val);
});

test('a batch goes to the GPU from page-locked memory', { skip: NO_CUDA }, async () => {
  const { toDevice } = await import('./trainer.js');
  const x = tensor([[1, 2], [3, 4]]);
  const g = toDevice(x, 'cuda:0');
  assert.equal(g.device, 'cuda:0');
  assert.deepEqual(g.toNumbers(), [1, 2, 3, 4]);
  assert.equal(toDevice(x, 'cpu'), x, 'a CPU batch for the CPU is itself');
});
