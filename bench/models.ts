// B1-B3 and the peak RSS: nnlab's fit()/evaluate() against PyTorch from Python on the same models and data.
// PyTorch runs in each of its thread settings (libtorch intra-op threads x OpenBLAS threads) and is compared
// at its best; nnlab picks its settings itself (threadsFor: dense or conv).
import type { Row } from './common.js';
import { cudaInfo } from '../src/engine/device.js';
import { bestOf, runPython, runWorker, type Figures } from './peers.js';

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const n0 = (v: unknown) => (v as number).toFixed(0);
const threadsOf = (f: Figures) => {
  const t = f.threads as { intraOp: number; blas: number | null } | number;
  return typeof t === 'number' ? `intra-op ${t}` : `intra-op ${t.intraOp}, BLAS ${t.blas}`;
};

/** PyTorch's settings to try: (intra-op threads, OpenBLAS threads). */
const TORCH_SETTINGS = [
  { intraOp: 1, blas: 2 },
  { intraOp: 2, blas: 1 },
  { intraOp: 2, blas: 2 },
];

function torchBest(script: string, args: Record<string, unknown>, key: string, rounds: number): Figures & { setting: string } {
  let best: (Figures & { setting: string }) | null = null;
  for (const s of TORCH_SETTINGS) {
    const f = bestOf(rounds, key, { py: () => runPython(script, { ...args, intraOp: s.intraOp }, { OPENBLAS_NUM_THREADS: String(s.blas) }) }).py;
    if (!best || (f[key] as number) > (best[key] as number)) best = { ...f, setting: `intra-op ${s.intraOp}, BLAS ${s.blas}` };
  }
  return best!;
}

/** Float32 multiply-adds, as FLOPs (2 per multiply-add), of one sample through the 784-800-10 MLP. */
const MLP_FLOPS = {
  // forward (both layers) + weight gradients (both) + the input gradient of layer 2 (layer 1's input needs none)
  train: 2 * (784 * 800 + 800 * 10) * 2 + 2 * 800 * 10,
  eval: 2 * (784 * 800 + 800 * 10),
};

export function benchMlpEpoch(rounds = 2): { rows: Row[]; notes: string[] } {
  const ours = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('mlp-epoch', {}) }).nnlab;
  // nnlab with its first layer through the BLAS like PyTorch's, not over the pixels' nonzeros (sparse-input.ts)
  const blasOnly = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('mlp-epoch', {}, { NNLAB_SPARSE_INPUT: '0' }) }).nnlab;
  const py = torchBest('mlp_epoch.py', {}, 'trainSamplesPerS', rounds);
  const sgemm = runWorker('sgemm', {});
  const gflops = sgemm.square2048 as number;
  // The most samples per second the machine's sgemm rate allows (products only; everything else taken as free).
  const limit = { train: (gflops * 1e9) / MLP_FLOPS.train, eval: (gflops * 1e9) / MLP_FLOPS.eval };
  const share = (v: unknown, of: number) => `${((100 * (v as number)) / of).toFixed(0)}%`;
  return {
    rows: [
      { bench: 'B1 MLP 784-800-10, Adam, batch 256: fit() epoch of 50,000 MNIST images (samples/s)', nnlab: n0(ours.trainSamplesPerS), peer: n0(py.trainSamplesPerS), ratio: ratio(ours.trainSamplesPerS as number, py.trainSamplesPerS as number), goal: '>= 1.5x' },
      { bench: 'B3 MLP evaluation on 10,000 test images, batch 1000 (samples/s)', nnlab: n0(ours.evalSamplesPerS), peer: n0(py.evalSamplesPerS), ratio: ratio(ours.evalSamplesPerS as number, py.evalSamplesPerS as number), goal: '>= 1.05x' },
      { bench: 'B3 MLP evaluation, batch 32 (Keras default) (samples/s)', nnlab: n0(ours.eval32SamplesPerS), peer: n0(py.eval32SamplesPerS), ratio: ratio(ours.eval32SamplesPerS as number, py.eval32SamplesPerS as number), goal: '>= 1.3x' },
      { bench: 'B1 peak RSS of the process (MB, lower is better)', nnlab: n0(ours.peakRssMB), peer: n0(py.peakRssMB), ratio: ratio(ours.peakRssMB, py.peakRssMB), goal: '<= 1.1x' },
    ],
    notes: [
      `B1 threads: nnlab ${threadsOf(ours)}; PyTorch best at ${py.setting}. Accuracy after the epoch: nnlab test ${(ours.testAccuracy as number).toFixed(4)}, PyTorch ${(py.testAccuracy as number).toFixed(4)}.`,
      `nnlab's first layer multiplies over the pixels' nonzeros (MNIST scaled to [0, 1] is 81% zeros). With every product through the BLAS as PyTorch's ` +
        `(NNLAB_SPARSE_INPUT=0): B1 ${ratio(blasOnly.trainSamplesPerS as number, py.trainSamplesPerS as number)}, B3 batch 1000 ` +
        `${ratio(blasOnly.evalSamplesPerS as number, py.evalSamplesPerS as number)}, batch 32 ${ratio(blasOnly.eval32SamplesPerS as number, py.eval32SamplesPerS as number)} ` +
        `(test accuracy ${(blasOnly.testAccuracy as number).toFixed(4)}).`,
      `sgemm on this machine: ${gflops.toFixed(0)} GFLOP/s (2048x2048x2048); at the MLP's shapes ${(sgemm.mlpTrain256 as number).toFixed(0)} (batch 256), ` +
        `${(sgemm.mlpEval1000 as number).toFixed(0)} (1000), ${(sgemm.mlpEval32 as number).toFixed(0)} (32). The limit that rate implies, counting only the matrix products ` +
        `(${(MLP_FLOPS.train / 1e6).toFixed(2)} MFLOP a training sample, ${(MLP_FLOPS.eval / 1e6).toFixed(2)} an evaluated one): training ${n0(limit.train)} samples/s, evaluation ${n0(limit.eval)}.`,
      `As a share of that limit (dense products; the sparse path does fewer, so it can pass 100%): B1 nnlab ${share(ours.trainSamplesPerS, limit.train)} ` +
        `(BLAS only ${share(blasOnly.trainSamplesPerS, limit.train)}), PyTorch ${share(py.trainSamplesPerS, limit.train)}; ` +
        `B3 batch 1000 nnlab ${share(ours.evalSamplesPerS, limit.eval)} (${share(blasOnly.evalSamplesPerS, limit.eval)}), PyTorch ${share(py.evalSamplesPerS, limit.eval)}; ` +
        `batch 32 nnlab ${share(ours.eval32SamplesPerS, limit.eval)} (${share(blasOnly.eval32SamplesPerS, limit.eval)}), PyTorch ${share(py.eval32SamplesPerS, limit.eval)}.`,
    ],
  };
}

export function benchCnn(batches = 8, rounds = 2): { rows: Row[]; notes: string[] } {
  const ours = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('cnn-step', { batches }) }).nnlab;
  const py = torchBest('cnn_step.py', { batches }, 'trainSamplesPerS', rounds);
  return {
    rows: [
      { bench: `B2 seed CNN 3x128x128, batch 64, SGD: fit() over ${batches} batches (images/s)`, nnlab: n0(ours.trainSamplesPerS), peer: n0(py.trainSamplesPerS), ratio: ratio(ours.trainSamplesPerS as number, py.trainSamplesPerS as number), goal: '>= 1.3x' },
      { bench: 'B3 seed CNN evaluation (images/s)', nnlab: n0(ours.evalSamplesPerS), peer: n0(py.evalSamplesPerS), ratio: ratio(ours.evalSamplesPerS as number, py.evalSamplesPerS as number), goal: '>= 1.5x' },
    ],
    notes: [`B2 threads: nnlab ${threadsOf(ours)}; PyTorch best at ${py.setting}.`],
  };
}

export function benchLoader(b1SamplesPerS: number | null, rounds = 2): { rows: Row[]; notes: string[] } {
  const ours = bestOf(rounds, 'batchesPerS', { nnlab: () => runWorker('loader', {}) }).nnlab;
  const py = bestOf(rounds, 'batchesPerS', { py: () => runPython('loader.py', { intraOp: 1 }) }).py;
  const notes: string[] = [
    `Dataset loads (goal < 2 s for a second load): MNIST ${(ours.mnistLoadS as number).toFixed(2)} s, Fashion-MNIST from its cache ${(ours.fashionSecondLoadS as number).toFixed(2)} s.`,
  ];
  if (b1SamplesPerS !== null) {
    // One B1 epoch is 50,000 samples; the loader's share is the time of its 196 batches over the epoch's time.
    const loaderS = 196 / (ours.batchesPerS as number);
    const epochS = 50_000 / b1SamplesPerS;
    notes.push(`The pipeline's share of a B1 epoch: ${((100 * loaderS) / epochS).toFixed(1)}% (goal <= 5%).`);
  }
  return {
    rows: [
      { bench: 'MNIST loader, batch 256, shuffled (batches/s; PyTorch: DataLoader over the same tensors)', nnlab: n0(ours.batchesPerS), peer: n0(py.batchesPerS), ratio: ratio(ours.batchesPerS as number, py.batchesPerS as number), goal: '' },
      { bench: 'the same with rotation 15 degrees + flip on each batch (batches/s)', nnlab: n0(ours.augmentedBatchesPerS), peer: n0(py.augmentedBatchesPerS), ratio: ratio(ours.augmentedBatchesPerS as number, py.augmentedBatchesPerS as number), goal: '' },
    ],
    notes,
  };
}

/**
 * B1 and B2 on a GPU (`npm run bench -- gpu`, what scripts/gpu-check.sh runs): both sides on cuda:0, data on the
 * host and batches copied from pinned memory; B1 on random images of MNIST's shape (speed only).
 */
export function benchGpu(device = 'cuda:0', rounds = 2): { rows: Row[]; notes: string[] } {
  if (!cudaInfo().available) throw new Error('bench gpu: the libtorch in use has no CUDA device; run it where there is one (scripts/gpu-check.sh)');
  const mlp = bestOf(rounds, 'trainSamplesPerS', {
    nnlab: () => runWorker('mlp-epoch', { device, synthetic: true }),
    torch: () => runPython('mlp_epoch.py', { device, synthetic: true }),
  });
  const cnn = bestOf(rounds, 'trainSamplesPerS', {
    nnlab: () => runWorker('cnn-step', { device, batches: 32 }),
    torch: () => runPython('cnn_step.py', { device, batches: 32 }),
  });
  const row = (bench: string, key: string, f: Record<string, Figures>, goal = '') => ({ bench, nnlab: n0(f.nnlab[key]), peer: n0(f.torch[key]), ratio: ratio(f.nnlab[key] as number, f.torch[key] as number), goal });
  return {
    rows: [
      row(`B1 MLP on ${device}: fit() epoch, batch 256 (samples/s)`, 'trainSamplesPerS', mlp, '>= 1.0x'),
      row(`B3 MLP on ${device}: evaluation, batch 1000 (samples/s)`, 'evalSamplesPerS', mlp),
      row(`B3 MLP on ${device}: evaluation, batch 32 (samples/s)`, 'eval32SamplesPerS', mlp),
      row(`B2 seed CNN on ${device}: fit(), batch 64, 32 batches (images/s)`, 'trainSamplesPerS', cnn, '>= 1.0x'),
      row(`B3 seed CNN on ${device}: evaluation (images/s)`, 'evalSamplesPerS', cnn),
    ],
    notes: ['Both sides on the same GPU; data stays on the host and every batch goes over from pinned memory.'],
  };
}
