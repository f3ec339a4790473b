// B1-B3 and the peak RSS: nnlab's fit()/evaluate() against PyTorch from Python on the same models and data.
// PyTorch runs in each of its thread settings (libtorch intra-op threads x OpenBLAS threads) and is compared
// at its best; nnlab picks its settings itself (threadsFor: dense or conv).
import type { Row } from './common.js';
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

export function benchMlpEpoch(rounds = 2): { rows: Row[]; notes: string[] } {
  const ours = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('mlp-epoch', {}) }).nnlab;
  const py = torchBest('mlp_epoch.py', {}, 'trainSamplesPerS', rounds);
  return {
    rows: [
      { bench: 'B1 MLP 784-800-10, Adam, batch 256: fit() epoch of 50,000 MNIST images (samples/s)', nnlab: n0(ours.trainSamplesPerS), peer: n0(py.trainSamplesPerS), ratio: ratio(ours.trainSamplesPerS as number, py.trainSamplesPerS as number), goal: '>= 1.5x' },
      { bench: 'B3 MLP evaluation on 10,000 test images, batch 1000 (samples/s)', nnlab: n0(ours.evalSamplesPerS), peer: n0(py.evalSamplesPerS), ratio: ratio(ours.evalSamplesPerS as number, py.evalSamplesPerS as number), goal: '>= 1.5x' },
      { bench: 'B3 MLP evaluation, batch 32 (Keras default) (samples/s)', nnlab: n0(ours.eval32SamplesPerS), peer: n0(py.eval32SamplesPerS), ratio: ratio(ours.eval32SamplesPerS as number, py.eval32SamplesPerS as number), goal: '>= 1.5x' },
      { bench: 'B1 peak RSS of the process (MB, lower is better)', nnlab: n0(ours.peakRssMB), peer: n0(py.peakRssMB), ratio: ratio(ours.peakRssMB, py.peakRssMB), goal: '<= 1.3x' },
    ],
    notes: [`B1 threads: nnlab ${threadsOf(ours)}; PyTorch best at ${py.setting}. Accuracy after the epoch: nnlab test ${(ours.testAccuracy as number).toFixed(4)}, PyTorch ${(py.testAccuracy as number).toFixed(4)}.`],
  };
}

export function benchCnn(batches = 8, rounds = 2): { rows: Row[]; notes: string[] } {
  const ours = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('cnn-step', { batches }) }).nnlab;
  const py = torchBest('cnn_step.py', { batches }, 'trainSamplesPerS', rounds);
  return {
    rows: [
      { bench: `B2 seed CNN 3x128x128, batch 64, SGD: fit() over ${batches} batches (images/s)`, nnlab: n0(ours.trainSamplesPerS), peer: n0(py.trainSamplesPerS), ratio: ratio(ours.trainSamplesPerS as number, py.trainSamplesPerS as number), goal: '>= 1.1x' },
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
