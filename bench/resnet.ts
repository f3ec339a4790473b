// B6: residual networks from the `resnet` template, fit and evaluation, against the same networks in PyTorch
// (bench/py/resnet_step.py: the CIFAR ResNet-20 written out, torchvision's resnet18) on the same random images,
// batch and optimizer (SGD 0.1, momentum 0.9). PyTorch runs in each of its thread settings and is compared at its
// best; nnlab picks its own (threadsFor: conv). The two sides alternate, round after round; each keeps its best
// round, and the notes give every round's range. Before any figure is printed, the state dicts of the two sides
// must have the same names and shapes (PyTorch's num_batches_tracked aside), so both train the same network.
// `npm run bench -- b6`; `npm run bench -- gpu` runs it on cuda:0 too.
import type { Row } from './common.js';
import { runPython, runWorker, type Figures } from './peers.js';

const ratio = (a: unknown, b: unknown) => `${((a as number) / (b as number)).toFixed(2)}x`;
const n0 = (v: unknown) => (v as number).toFixed(0);

/** PyTorch's settings to try: (intra-op threads, OpenBLAS threads), as for B1, B2 and B7. */
const TORCH_SETTINGS = [
  { intraOp: 1, blas: 2 },
  { intraOp: 2, blas: 1 },
  { intraOp: 2, blas: 2 },
];

export interface ResnetCase {
  depth: 18 | 20;
  /** Image side: 3 x size x size. */
  size: number;
  /** Training batches (of 128) timed after the warm-up batch; evaluation runs over the same images. */
  batches: number;
}

export const RESNET_CASES: ResnetCase[] = [
  { depth: 20, size: 32, batches: 8 },
  { depth: 18, size: 64, batches: 4 },
];

type StateShapes = Record<string, number[]>;

/** The differences between two state dicts' names and shapes (PyTorch's num_batches_tracked counters aside). */
export function stateDictDifferences(ours: StateShapes, theirs: StateShapes): string[] {
  const counted = (s: StateShapes) => Object.keys(s).filter((k) => !k.endsWith('.num_batches_tracked'));
  const out: string[] = [];
  for (const k of counted(ours)) {
    if (!(k in theirs)) out.push(`${k} only in nnlab`);
    else if (ours[k].join('x') !== theirs[k].join('x')) out.push(`${k}: nnlab [${ours[k].join(', ')}], PyTorch [${theirs[k].join(', ')}]`);
  }
  for (const k of counted(theirs)) if (!(k in ours)) out.push(`${k} only in PyTorch`);
  return out;
}

const best = (runs: Figures[], key: string) => Math.max(...runs.map((f) => f[key] as number));
const range = (runs: Figures[], key: string) => {
  const v = runs.map((f) => f[key] as number);
  return `${n0(Math.min(...v))}-${n0(Math.max(...v))}`;
};

export function benchResnet(options: { rounds?: number; cases?: ResnetCase[]; device?: string } = {}): { rows: Row[]; notes: string[] } {
  const { rounds = 2, cases = RESNET_CASES, device = 'cpu' } = options;
  const settings = device === 'cpu' ? TORCH_SETTINGS : [{ intraOp: 1, blas: 1 }];
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const c of cases) {
    const args = { depth: c.depth, size: c.size, batches: c.batches, batch: 128, device };
    const ours: Figures[] = [];
    const py = settings.map((s) => ({ setting: `intra-op ${s.intraOp}, BLAS ${s.blas}`, s, runs: [] as Figures[] }));
    for (let r = 0; r < rounds; r++) {
      ours.push(runWorker('resnet-step', args));
      for (const p of py) p.runs.push(runPython('resnet_step.py', { ...args, intraOp: p.s.intraOp }, { OPENBLAS_NUM_THREADS: String(p.s.blas) }));
    }
    const name = c.depth === 18 ? 'ResNet-18 (torchvision)' : `ResNet-${c.depth} (CIFAR)`;
    const differences = stateDictDifferences(ours[0].stateDict as StateShapes, py[0].runs[0].stateDict as StateShapes);
    if (differences.length > 0) throw new Error(`B6 ${name}: nnlab and PyTorch do not build the same network:\n  ${differences.join('\n  ')}`);
    // PyTorch at its best setting, for each figure on its own.
    const pyBest = (key: string) => py.reduce((a, b) => (best(b.runs, key) > best(a.runs, key) ? b : a));
    const [train, evaluation] = [pyBest('trainSamplesPerS'), pyBest('evalSamplesPerS')];
    const where = `3x${c.size}x${c.size}${device === 'cpu' ? '' : ` on ${device}`}`;
    rows.push(
      {
        bench: `B6 ${name} ${where}, batch 128, SGD momentum 0.9: fit() over ${c.batches} batches (images/s)`,
        nnlab: n0(best(ours, 'trainSamplesPerS')),
        peer: n0(best(train.runs, 'trainSamplesPerS')),
        ratio: ratio(best(ours, 'trainSamplesPerS'), best(train.runs, 'trainSamplesPerS')),
        goal: c.depth === 18 ? '>= 1.2x' : '>= 1.3x',
      },
      {
        bench: `B6 ${name} evaluation, batch 128 (images/s)`,
        nnlab: n0(best(ours, 'evalSamplesPerS')),
        peer: n0(best(evaluation.runs, 'evalSamplesPerS')),
        ratio: ratio(best(ours, 'evalSamplesPerS'), best(evaluation.runs, 'evalSamplesPerS')),
        goal: '>= 1.3x',
      },
    );
    notes.push(
      `B6 ${name}: ${(ours[0].params as number).toLocaleString('en')} weights on both sides, the same state-dict names and shapes. ` +
        `Threads: nnlab ${JSON.stringify(ours[0].threads)}; PyTorch best at ${train.setting} (fit), ${evaluation.setting} (evaluation). ` +
        `Rounds (images/s): fit nnlab ${range(ours, 'trainSamplesPerS')}, PyTorch ${range(train.runs, 'trainSamplesPerS')}; ` +
        `evaluation nnlab ${range(ours, 'evalSamplesPerS')}, PyTorch ${range(evaluation.runs, 'evalSamplesPerS')}.`,
    );
  }
  return { rows, notes };
}
