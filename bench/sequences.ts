// B7: sequential MNIST through an LSTM of 128 units (fit and evaluate), nnlab against PyTorch's nn.LSTM on the
// same images, model and optimizer. PyTorch runs in each of its thread settings and is compared at its best;
// nnlab picks its own (threadsFor). `npm run bench -- b7`; `npm run bench -- gpu` runs it on cuda:0 too.
import type { Row } from './common.js';
import { bestOf, runPython, runWorker, type Figures } from './peers.js';

const ratio = (a: unknown, b: unknown) => `${((a as number) / (b as number)).toFixed(2)}x`;
const n0 = (v: unknown) => (v as number).toFixed(0);

/** PyTorch's settings to try: (intra-op threads, OpenBLAS threads), as for B1 and B2. */
const TORCH_SETTINGS = [
  { intraOp: 1, blas: 2 },
  { intraOp: 2, blas: 1 },
  { intraOp: 2, blas: 2 },
];

export function benchLstm(options: { n?: number; device?: string; rounds?: number } = {}): { rows: Row[]; notes: string[] } {
  const { n = 12_800, device = 'cpu', rounds = 2 } = options;
  const gpu = device !== 'cpu';
  const args = { n, device, synthetic: gpu };
  const ours = bestOf(rounds, 'trainSamplesPerS', { nnlab: () => runWorker('lstm-epoch', args) }).nnlab;
  let py: Figures & { setting: string } = { peakRssMB: 0, setting: '' };
  for (const s of gpu ? [{ intraOp: 1, blas: 1 }] : TORCH_SETTINGS) {
    const f = bestOf(rounds, 'trainSamplesPerS', { py: () => runPython('lstm_epoch.py', { ...args, intraOp: s.intraOp }, { OPENBLAS_NUM_THREADS: String(s.blas) }) }).py;
    if (py.setting === '' || (f.trainSamplesPerS as number) > (py.trainSamplesPerS as number)) py = { ...f, setting: `intra-op ${s.intraOp}, BLAS ${s.blas}` };
  }
  const where = gpu ? ` on ${device}` : '';
  return {
    rows: [
      { bench: `B7 sequential-MNIST LSTM 128${where}, Adam, batch 128: fit() epoch of ${n.toLocaleString('en')} images (samples/s)`, nnlab: n0(ours.trainSamplesPerS), peer: n0(py.trainSamplesPerS), ratio: ratio(ours.trainSamplesPerS, py.trainSamplesPerS), goal: '>= 1.2x' },
      { bench: `B7 LSTM evaluation${where} on 10,000 test images, batch 1000 (samples/s)`, nnlab: n0(ours.evalSamplesPerS), peer: n0(py.evalSamplesPerS), ratio: ratio(ours.evalSamplesPerS, py.evalSamplesPerS), goal: '' },
    ],
    notes: [
      `B7 threads: nnlab ${JSON.stringify(ours.threads)}; PyTorch best at ${py.setting}. ` +
        (gpu ? 'Random images of MNIST\'s shape (speed only).' : `Accuracy after the epoch: nnlab test ${(ours.testAccuracy as number).toFixed(4)}, PyTorch ${(py.testAccuracy as number).toFixed(4)}.`),
    ],
  };
}
