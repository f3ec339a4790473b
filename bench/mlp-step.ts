// One training step of the 784-800-10 ReLU MLP with Adam (batch 256), written directly on the tensor core,
// against the same step in PyTorch from Python (torch.optim.Adam), in the same bench run.
// Threads: 1 intra-op thread + OpenBLAS on all cores for both (the best setting for dense layers, docs/architecture.md).
import { manualSeed } from '../src/engine/seed.js';
import { getThreads, setThreads, threadsFor } from '../src/engine/threads.js';
import { noGrad, ops, rand, tidy, zeros, type Tensor } from '../src/tensor/index.js';
import { median, seconds, type Row } from './common.js';
import { runPython } from './peers.js';

interface AdamState {
  m: Tensor;
  v: Tensor;
}

function kaimingUniform(shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn); // nn.Linear's default init bound
  return tidy(() => ops.sub(ops.mul(rand(shape), 2 * bound), bound)).requiresGrad_();
}

export function mlpStepOnTensorCore(batch: number, lr: number) {
  manualSeed(0);
  const params = [kaimingUniform([800, 784], 784), kaimingUniform([800], 784), kaimingUniform([10, 800], 800), kaimingUniform([10], 800)];
  const state: AdamState[] = params.map((p) => ({ m: zeros(p.shape), v: zeros(p.shape) }));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let t = 0;
  const x = rand([batch, 784]);
  const y = ops.randint(0, 10, [batch]);
  const step = (): number =>
    tidy(() => {
      const [w1, c1, w2, c2] = params;
      const loss = ops.crossEntropyLoss(ops.linear(ops.relu(ops.linear(x, w1, c1)), w2, c2), y);
      loss.backward();
      t += 1;
      const stepSize = lr / (1 - b1 ** t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      noGrad(() => {
        params.forEach((p, i) => {
          const g = p.grad!;
          const { m, v } = state[i];
          m.mul_(b1).add_(g, 1 - b1);
          v.mul_(b2).addcmul_(g, g, 1 - b2);
          p.addcdiv_(m, ops.sqrt(v).div_(bc2Sqrt).add_(eps), -stepSize);
          p.zeroGrad();
        });
      });
      return loss.item();
    });
  const dispose = () => [...params, ...state.flatMap((s) => [s.m, s.v]), x, y].forEach((t) => t.dispose());
  return { step, dispose };
}

export function benchMlpStep(steps = 100, repeats = 5, warmup = 20) {
  const batch = 256;
  const lr = 0.00168;
  setThreads(threadsFor('dense'));
  const threads = getThreads();
  const mlp = mlpStepOnTensorCore(batch, lr);
  for (let i = 0; i < warmup; i++) mlp.step();
  const ours = median(
    Array.from({ length: repeats }, () => (steps * batch) / seconds(() => {
      for (let i = 0; i < steps; i++) mlp.step();
    })),
  );
  mlp.dispose();
  const py = runPython<{ samplesPerS: number; threads: number }>('mlp_step.py', { batch, lr, steps, repeats, warmup, intraOp: threads.intraOp });
  const ratio = ours / py.samplesPerS;
  const row: Row = {
    bench: 'MLP 784-800-10 Adam step, batch 256 (samples/s)',
    nnlab: ours.toFixed(0),
    peer: py.samplesPerS.toFixed(0),
    ratio: `${ratio.toFixed(2)}x`,
    goal: '>= 1.5x',
  };
  return { rows: [row], figures: { samplesPerS: ours, pytorchSamplesPerS: py.samplesPerS, ratio }, threads };
}
